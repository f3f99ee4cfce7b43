//! Rust engine of the `openai-codex` Python SDK.

#[cfg(feature = "python")]
mod python;

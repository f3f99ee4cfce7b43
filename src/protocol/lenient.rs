//! The serde fallback of the scan, for the rare lines jiter refuses.

use std::borrow::Cow;

use super::members::MemberIndex;
use super::scan::Fields;
use super::{span_within, RouteKeys};

/// The same fields, found by serde_json, which (unlike jiter) lets string escapes it skips over
/// stand unvalidated. Used only for lines jiter rejects, such as a lone UTF-16 surrogate escape
/// (`"\ud800"`), which Python itself accepts: such a line is still delivered, not dropped.
pub(super) fn scan_line_lenient(line: &[u8]) -> Option<Fields<'_>> {
    use serde_json::value::RawValue;
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow, default)]
        id: Option<&'a RawValue>,
        #[serde(borrow, default)]
        method: Option<&'a RawValue>,
        #[serde(borrow, default)]
        params: Option<&'a RawValue>,
        #[serde(borrow, default)]
        result: Option<&'a RawValue>,
        #[serde(borrow, default)]
        error: Option<&'a RawValue>,
    }
    let env: Envelope<'_> = serde_json::from_slice(line).ok()?;
    // Borrowed raw values are slices of the line.
    let span = |raw: &RawValue| span_within(line, raw.get().as_bytes());
    let mut f = Fields {
        id: env.id.and_then(span),
        method: env.method.and_then(|m| serde_json::from_str::<String>(m.get()).ok()).map(Cow::Owned),
        params: env.params.and_then(span),
        result: env.result.and_then(span),
        error: env.error.and_then(span),
        keys: RouteKeys::default(),
        members: MemberIndex::unindexable(),
    };
    if let Some(params) = env.params {
        #[derive(serde::Deserialize)]
        struct TurnRef {
            id: Option<String>,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Ids {
            thread_id: Option<String>,
            turn_id: Option<String>,
            turn: Option<TurnRef>,
            login_id: Option<String>,
        }
        // Unknown members are skipped by serde without decoding their strings.
        if let Ok(ids) = serde_json::from_str::<Ids>(params.get()) {
            f.keys = RouteKeys {
                thread_id: ids.thread_id.map(Cow::Owned),
                turn_id: ids.turn_id.or(ids.turn.and_then(|t| t.id)).map(Cow::Owned),
                login_id: ids.login_id.map(Cow::Owned),
            };
        }
    }
    Some(f)
}

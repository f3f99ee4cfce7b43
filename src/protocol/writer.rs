//! Serializing the lines the client writes: requests, notifications, answers to server requests.

use super::{RequestId, RpcError};

/// Serializes a request line (newline-terminated). `params_json` must be valid JSON.
pub(crate) fn request_line(id: RequestId, method: &str, params_json: Option<&str>) -> Vec<u8> {
    method_line(Some(id), method, params_json)
}

/// Serializes a notification line (newline-terminated).
pub(crate) fn notification_line(method: &str, params_json: Option<&str>) -> Vec<u8> {
    method_line(None, method, params_json)
}

fn method_line(id: Option<RequestId>, method: &str, params_json: Option<&str>) -> Vec<u8> {
    let mut out = Vec::with_capacity(48 + method.len() + params_json.map_or(0, str::len));
    out.push(b'{');
    if let Some(id) = id {
        out.extend_from_slice(b"\"id\":");
        out.extend_from_slice(id.to_string().as_bytes());
        out.push(b',');
    }
    out.extend_from_slice(b"\"method\":");
    serde_json::to_writer(&mut out, method).expect("string serialization cannot fail");
    if let Some(p) = params_json {
        out.extend_from_slice(b",\"params\":");
        out.extend_from_slice(p.as_bytes());
    }
    out.extend_from_slice(b"}\n");
    out
}

/// Serializes the answer to a server request, echoing its raw id.
pub(crate) fn server_response_line(id: &str, outcome: Result<&str, &RpcError>) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"{\"id\":");
    out.extend_from_slice(id.as_bytes());
    match outcome {
        Ok(result) => {
            out.extend_from_slice(b",\"result\":");
            out.extend_from_slice(result.as_bytes());
        }
        Err(err) => {
            out.extend_from_slice(b",\"error\":{\"code\":");
            out.extend_from_slice(err.code.to_string().as_bytes());
            out.extend_from_slice(b",\"message\":");
            serde_json::to_writer(&mut out, &err.message).expect("string serialization cannot fail");
            if let Some(data) = &err.data {
                out.extend_from_slice(b",\"data\":");
                out.extend_from_slice(data.as_bytes());
            }
            out.push(b'}');
        }
    }
    out.extend_from_slice(b"}\n");
    out
}

//! The OData envelopes Graph wraps its answers in: `{"value": ...}` around collections and
//! action results, and the error body `{"error": {"code", "message", "innerError"}}`.

use serde::{Deserialize, Serialize};

/// `{"value": T}`: how Graph returns a collection or an action's result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueOf<T> {
    /// The wrapped value.
    pub value: T,
}

impl<T> ValueOf<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> Self {
        ValueOf { value }
    }
}

/// `{"value": [...]}`: a Graph collection.
pub type Collection<T> = ValueOf<Vec<T>>;

/// Graph's error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphError {
    /// The error.
    pub error: GraphErrorDetail,
}

impl GraphError {
    /// An error with its request id and date, as the service writes them.
    pub fn new(
        code: impl Into<String>,
        message: impl Into<String>,
        request_id: impl Into<String>,
        date: impl Into<String>,
    ) -> Self {
        GraphError {
            error: GraphErrorDetail {
                code: code.into(),
                message: message.into(),
                inner_error: Some(InnerError {
                    request_id: request_id.into(),
                    date: date.into(),
                }),
            },
        }
    }
}

/// The `error` member of [`GraphError`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphErrorDetail {
    /// Machine-readable code (`ResourceNotFound`, `BadRequest`...).
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
    /// Where and when the request was handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner_error: Option<InnerError>,
}

/// `innerError`: the request's id and date, which support asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnerError {
    /// The request id.
    #[serde(rename = "request-id")]
    pub request_id: String,
    /// When the request was handled (RFC 3339).
    pub date: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_graphs_member_names() {
        let e = GraphError::new("BadRequest", "no", "r-1", "2026-01-01T00:00:00Z");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["error"]["code"], "BadRequest");
        assert_eq!(v["error"]["innerError"]["request-id"], "r-1");
        assert_eq!(v["error"]["innerError"]["date"], "2026-01-01T00:00:00Z");
    }

    #[test]
    fn collections_wrap_in_value() {
        let c: Collection<u8> = ValueOf::new(vec![1, 2]);
        assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"value":[1,2]}"#);
    }
}

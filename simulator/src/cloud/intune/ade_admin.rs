//! The admin API's Automated Device Enrollment resources (filled in by the ADE work).

use super::IntuneService;
use crate::net::{Request, Response};

/// Routes ADE admin requests; `None` when the path is not an ADE resource.
pub async fn route(
    _service: &IntuneService,
    _request: &Request,
    _segments: &[&str],
) -> Option<Result<Response, Response>> {
    None
}

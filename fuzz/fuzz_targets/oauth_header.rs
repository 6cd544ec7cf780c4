//! The OAuth 1.0a `Authorization` header Apple's DEP API reads: any text parses or is
//! refused, a parsed header verifies or not without panicking, and a header we write parses
//! back to what was signed.
#![no_main]

use enrollsim_simulator::cloud::apple_ade::oauth::OAuthParams;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let parsed = OAuthParams::parse(text);
    if let Err(e) = &parsed {
        let _ = e.problem();
    }
    if let Ok(params) = parsed {
        let _ = params.verify(
            "GET",
            "https://mdmenrollment.apple.com/session",
            &[],
            "cs",
            "ts",
        );
        let again = OAuthParams::parse(&params.to_header());
        assert_eq!(
            again.as_ref().ok(),
            Some(&params),
            "header does not round-trip"
        );
    }
});

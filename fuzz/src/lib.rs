//! The cargo-fuzz side of the targets. Their bodies live in `enrollsim-fuzz-bodies`
//! (`fuzz-bodies/`, stable, a member of the main workspace) so that the normal test suite
//! replays the committed inputs through the same code; this crate only hands libFuzzer's
//! bytes to them and tells libFuzzer which inputs to keep.

pub use enrollsim_fuzz_bodies as bodies;
use enrollsim_fuzz_bodies::Outcome;
use libfuzzer_sys::Corpus;

/// An input that did not decode into the target's input type is not kept in the corpus, as
/// libfuzzer-sys does for typed targets.
pub fn corpus(outcome: Outcome) -> Corpus {
    match outcome {
        Outcome::Ran => Corpus::Keep,
        Outcome::NotDecoded => Corpus::Reject,
    }
}

//! The example in docs/scenario-format.md is a valid scenario: the documentation cannot drift
//! from the format without this test failing.

use enrollsim_harness::scenario::Scenario;

#[test]
fn the_documented_example_parses() {
    let doc = include_str!("../../../docs/scenario-format.md");
    let start = doc.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let end = start + doc[start..].find("```").expect("closed");
    let scenario = Scenario::from_toml_str(&doc[start..end], "docs/scenario-format.md")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scenario.id, "device-cap-reached");
    assert_eq!(scenario.world.tenant.limit_restrictions[0].limit, 5);
    assert!(scenario.world.tenant.ade.is_some());
    assert_eq!(scenario.resolution.len(), 1);
}

use enrollsim_diagnostics::*;
#[test]
fn explore() {
    for m in user_messages() {
        for (lang, t) in [("en", m.english), ("it", m.italian)] {
            let typed = t.to_lowercase().replace(['.', ',', '\''], "").replace(". ", "\n");
            let first = t.split('.').next().unwrap();
            for (kind, text) in [("full", t.to_string()), ("typed", typed), ("first", first.to_string())] {
                let d = diagnose(&EvidenceBundle::from_message(text.clone(), lang));
                let c: Vec<String> = d.candidates.iter().map(|c| format!("{}@{}={}", c.cause, &c.section.id()[..12.min(c.section.id().len())], c.confidence.value())).collect();
                println!("{:?} {lang} {kind}: sec={:?} cause={:?} conf={} | {} | collect={}", m.section.id(), d.section.map(|s| s.id()), d.cause.map(|c| c.id()), d.confidence.value(), c.join(" "), d.collect.len());
            }
        }
    }
    let d = diagnose(&EvidenceBundle::from_message("Company Portal Temporarily Unavailable", "en"));
    println!("{}", d.render_text());
    let d = diagnose(&EvidenceBundle::from_message("Profile Installation Failed.", "en"));
    println!("{}", d.render_text());
}

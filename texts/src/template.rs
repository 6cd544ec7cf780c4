//! The placeholders of the texts that name something of the moment (`{model}`: the device's
//! "iPhone" or "iPad"; `{organization}`; `{reason}`: an error sentence of iOS's).
//!
//! The products build these sentences around words they know only at run time, so the data
//! files hold them with named holes, and every side fills them the same way.

/// `template` with each `{name}` of `values` replaced by its value, in one pass: a value that
/// itself contains braces is not read again. A placeholder without a value stays as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once_and_unknown_ones_stay() {
        assert_eq!(
            fill(
                "your {model} from {organization}: {reason}",
                &[
                    ("model", "iPad"),
                    ("organization", "Contoso"),
                    ("reason", "{model}")
                ]
            ),
            "your iPad from Contoso: {model}"
        );
        assert_eq!(fill("{other} and {", &[("model", "iPad")]), "{other} and {");
        assert_eq!(fill("Device Cap Reached", &[]), "Device Cap Reached");
    }
}

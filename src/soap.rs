//! The SOAP header element that carries a token to Marketing Cloud's SOAP API.

use crate::error::Error;

/// `<h:fueloauth …>TOKEN</h:fueloauth>`, with the token XML-escaped, ready to
/// be placed inside `<s:Header>`. A token that is empty or not XML 1.0
/// character data is refused: no XML parser would accept the header.
pub fn fueloauth_header(token: &str) -> Result<String, Error> {
    const OPEN: &str =
        r#"<h:fueloauth xmlns="http://exacttarget.com" xmlns:h="http://exacttarget.com">"#;
    const CLOSE: &str = "</h:fueloauth>";
    if token.is_empty() {
        return Err(Error::invalid_argument("the token is empty"));
    }
    if !is_xml_text(token) {
        return Err(Error::invalid_argument(
            "the token holds characters that XML 1.0 does not allow",
        ));
    }
    let mut header = String::with_capacity(OPEN.len() + token.len() + CLOSE.len() + 16);
    header.push_str(OPEN);
    for c in token.chars() {
        match c {
            '&' => header.push_str("&amp;"),
            '<' => header.push_str("&lt;"),
            '>' => header.push_str("&gt;"),
            '"' => header.push_str("&quot;"),
            '\'' => header.push_str("&apos;"),
            c => header.push(c),
        }
    }
    header.push_str(CLOSE);
    Ok(header)
}

/// Whether `text` is XML 1.0 character data (`Char` of the XML 1.0 spec): no
/// control characters but tab, LF and CR, and no U+FFFE or U+FFFF. Rust
/// strings hold no surrogates, the spec's other exclusion.
pub fn is_xml_text(text: &str) -> bool {
    text.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn wraps_the_token_exactly() {
        assert_eq!(
            fueloauth_header("abc.DEF_123").unwrap(),
            r#"<h:fueloauth xmlns="http://exacttarget.com" xmlns:h="http://exacttarget.com">abc.DEF_123</h:fueloauth>"#
        );
    }

    #[test]
    fn escapes_xml_specials() {
        assert!(fueloauth_header(r#"a<b>&"'c"#)
            .unwrap()
            .contains(">a&lt;b&gt;&amp;&quot;&apos;c</h:fueloauth>"));
    }

    #[test]
    fn refuses_what_xml_cannot_carry() {
        for token in ["", "a\u{0}b", "a\u{1b}b", "a\u{FFFE}", "\u{FFFF}"] {
            let err = fueloauth_header(token).unwrap_err();
            assert_eq!(err.status(), Status::InvalidArgument, "{token:?}");
        }
        assert!(is_xml_text("tab\tok\u{10000}\u{FFFD}"));
    }
}

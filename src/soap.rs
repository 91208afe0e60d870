//! The SOAP header element that carries a token to Marketing Cloud's SOAP API.

/// `<h:fueloauth …>TOKEN</h:fueloauth>`, with the token XML-escaped, ready to
/// be placed inside `<s:Header>`.
pub fn fueloauth_header(token: &str) -> String {
    const OPEN: &str =
        r#"<h:fueloauth xmlns="http://exacttarget.com" xmlns:h="http://exacttarget.com">"#;
    const CLOSE: &str = "</h:fueloauth>";
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
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_the_token_exactly() {
        assert_eq!(
            fueloauth_header("abc.DEF_123"),
            r#"<h:fueloauth xmlns="http://exacttarget.com" xmlns:h="http://exacttarget.com">abc.DEF_123</h:fueloauth>"#
        );
    }

    #[test]
    fn escapes_xml_specials() {
        assert!(
            fueloauth_header(r#"a<b>&"'c"#).contains(">a&lt;b&gt;&amp;&quot;&apos;c</h:fueloauth>")
        );
    }
}

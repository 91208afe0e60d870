//! The XML chores the SOAP side shares: finding a child, reading text, escaping text.

use roxmltree::Node;

/// The first child element with this namespace and local name, whatever its prefix. Children
/// in another namespace do not count: Marketing Cloud's deserializer ignores them too.
pub fn child<'a, 'input>(
    parent: Node<'a, 'input>,
    ns: &str,
    name: &str,
) -> Option<Node<'a, 'input>> {
    parent.children().find(|n| n.has_tag_name((ns, name)))
}

/// All the text inside an element, as the parser unescaped it, CDATA included.
pub fn text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect()
}

/// Text for element content or attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use roxmltree::Document;

    #[test]
    fn escaped_text_reads_back_intact() {
        let original = "fake_a<&>\"'_1";
        let xml = format!("<a>{}</a>", escape(original));
        assert_eq!(xml, "<a>fake_a&lt;&amp;&gt;&quot;&apos;_1</a>");
        let doc = Document::parse(&xml).unwrap();
        assert_eq!(text(doc.root_element()), original);
        let doc = Document::parse("<a>x&#60;<![CDATA[<&>]]>y</a>").unwrap();
        assert_eq!(text(doc.root_element()), "x<<&>y");
    }
}

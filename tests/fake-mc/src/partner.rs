//! The operations of the fake partner API, answered in the element names and namespace of
//! `etframework.wsdl` so that generated proxies deserialize them: Retrieve returns two made-up
//! objects of the asked type, Create echoes each object's CustomerKey and Name so a test can
//! see that objects (and characters that need escaping) arrived whole.

use std::sync::atomic::{AtomicU64, Ordering};

use roxmltree::Node;

use crate::xml::{self, escape, text};

pub const PARTNER_NS: &str = "http://exacttarget.com/wsdl/partnerAPI";

/// Request IDs and new object IDs: unique within the process, and predictable in a run.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// The response element for a request element, or None for an operation we do not serve.
pub fn answer(request: Node<'_, '_>) -> Option<String> {
    if request.tag_name().namespace() != Some(PARTNER_NS) {
        return None;
    }
    match request.tag_name().name() {
        "RetrieveRequestMsg" => Some(retrieve(request)),
        "CreateRequest" => Some(create(request)),
        _ => None,
    }
}

fn retrieve(msg: Node<'_, '_>) -> String {
    let object_type = child(msg, "RetrieveRequest")
        .and_then(|r| child(r, "ObjectType"))
        .map(text)
        .unwrap_or_default();
    let object_type = escape(&object_type);
    let results: String = (1..=2)
        .map(|i| {
            let fields = format!(
                "<ObjectID>fake-object-{}</ObjectID><CustomerKey>{object_type}-{i}</CustomerKey><Name>Fake {object_type} {i}</Name>",
                next_id()
            );
            element("Results", &fields)
        })
        .collect();
    let body = format!(
        "<OverallStatus>OK</OverallStatus><RequestID>fake-request-{}</RequestID>{results}",
        next_id()
    );
    format!(r#"<RetrieveResponseMsg xmlns="{PARTNER_NS}">{body}</RetrieveResponseMsg>"#)
}

fn create(msg: Node<'_, '_>) -> String {
    let objects = msg
        .children()
        .filter(|n| n.has_tag_name((PARTNER_NS, "Objects")));
    let results: String = objects
        .enumerate()
        .map(|(ordinal, object)| {
            // Only what arrived is echoed: a field the client dropped stays absent.
            let echo: String = ["CustomerKey", "Name"]
                .into_iter()
                .filter_map(|name| Some(element(name, &escape(&text(child(object, name)?)))))
                .collect();
            let fields = format!(
                "<StatusCode>OK</StatusCode><StatusMessage>Created</StatusMessage><OrdinalID>{ordinal}</OrdinalID><NewID>{}</NewID>{}",
                next_id(),
                element("Object", &echo)
            );
            element("Results", &fields)
        })
        .collect();
    let tail = format!(
        "<RequestID>fake-request-{}</RequestID><OverallStatus>OK</OverallStatus>",
        next_id()
    );
    format!(r#"<CreateResponse xmlns="{PARTNER_NS}">{results}{tail}</CreateResponse>"#)
}

fn element(name: &str, content: &str) -> String {
    format!("<{name}>{content}</{name}>")
}

fn child<'a, 'input>(parent: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    xml::child(parent, PARTNER_NS, name)
}

//! Unit tests of `Auth` for enhanced packages: the endpoint it posts to, the
//! cache entries it shares, and the API addresses it gives.

use super::*;
use crate::error::Status;

const TENANT: &str = "mc563885gzs27c5t9-63k636ttgm";

fn enhanced(subdomain: &str, account_id: Option<&str>) -> Result<Auth, Error> {
    Auth::new_enhanced(subdomain, "id", "s", account_id, None)
}

#[test]
fn enhanced_handles_post_to_v2_token_and_refuse_the_legacy_path() {
    let auth = format!("https://{TENANT}.auth.marketingcloudapis.com");
    for input in [TENANT, &format!("{auth}/"), &format!("{auth}/v2/token/")] {
        let token_url = enhanced(input, None).unwrap().token_url().to_owned();
        assert_eq!(token_url, format!("{auth}/v2/token"), "{input}");
    }
    let fake = enhanced("http://127.0.0.1:9/s/expires=2/", None).unwrap();
    assert_eq!(fake.token_url(), "http://127.0.0.1:9/s/expires=2/v2/token");
    let err = enhanced(&format!("{auth}/v1/requestToken"), None).unwrap_err();
    assert!(err.message().contains("/v1/requestToken"), "{err}");
    assert!(Auth::new(&format!("{auth}/v2/token"), "id", "s").is_err());
    assert_eq!(
        enhanced(TENANT, Some("12x")).unwrap_err().status(),
        Status::InvalidArgument
    );
}

#[test]
fn kinds_business_units_and_scopes_never_share_an_entry() {
    let base = "http://127.0.0.1:9/grants/";
    let entry = |auth: Auth| auth.entry.clone().unwrap();
    let legacy = entry(Auth::new(base, "id", "s").unwrap());
    let unit_1 = entry(enhanced(base, Some("1")).unwrap());
    let unit_1_again = entry(enhanced(base, Some("001")).unwrap());
    let unit_2 = entry(enhanced(base, Some("2")).unwrap());
    let scoped = entry(Auth::new_enhanced(base, "id", "s", Some("1"), Some("a")).unwrap());
    assert!(Arc::ptr_eq(&unit_1, &unit_1_again));
    for other in [&legacy, &unit_2, &scoped] {
        assert!(!Arc::ptr_eq(&unit_1, other));
    }
}

#[test]
fn enhanced_endpoints_are_the_latest_answers_else_the_tenants() {
    let auth = enhanced(TENANT, Some("7")).unwrap();
    let tenant_rest = format!("https://{TENANT}.rest.marketingcloudapis.com/");
    assert_eq!(auth.rest_base_url().unwrap(), tenant_rest);
    let urls = InstanceUrls::new(
        "https://other.rest.marketingcloudapis.com/",
        "https://other.soap.marketingcloudapis.com/",
    )
    .unwrap();
    auth.entry().set_instance_urls(urls);
    // Another handle of the same grant shares the entry, and so the URLs.
    let same = enhanced(TENANT, Some("7")).unwrap();
    assert_eq!(
        same.rest_base_url().unwrap(),
        "https://other.rest.marketingcloudapis.com/"
    );
    assert_eq!(
        same.soap_endpoint().unwrap(),
        "https://other.soap.marketingcloudapis.com/Service.asmx"
    );
    assert_eq!(
        enhanced(TENANT, Some("8"))
            .unwrap()
            .rest_base_url()
            .unwrap(),
        tenant_rest
    );
}

// The statuses of the C ABI, in numeric order: Rust name = C name = value:
// text. The one home of each status's text: `Status::description` and
// `mc_status_str` return it, errors start with it, and build.rs writes it
// beside the value in include/mcauth.h. Values are fixed forever: append;
// never renumber or reuse.
statuses! {
    Ok = MC_OK = 0: "success";
    InvalidArgument = MC_ERR_INVALID_ARGUMENT = 1: "invalid argument";
    Unauthorized = MC_ERR_UNAUTHORIZED = 2: "the auth server rejected the credentials (HTTP 401 or 403)";
    Http = MC_ERR_HTTP = 3:
        "the auth server answered with an HTTP error or a redirect (never followed)";
    Network = MC_ERR_NETWORK = 4:
        "network error (DNS, connect, TLS, proxy or a dropped connection)";
    Timeout = MC_ERR_TIMEOUT = 5: "the call's time budget ran out";
    BadResponse = MC_ERR_BAD_RESPONSE = 6:
        "the auth server's answer was not the expected JSON (or too large to be one)";
    Internal = MC_ERR_INTERNAL = 7: "internal error in mcauth (a bug; please report it)";
    BufferTooSmall = MC_ERR_BUFFER_TOO_SMALL = 8:
        "the buffer is too small for the token (it was left untouched)";
    NotCached = MC_ERR_NOT_CACHED = 9:
        "no usable token is cached, and this call never sends a request";
}

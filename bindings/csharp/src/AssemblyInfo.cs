using System.Runtime.CompilerServices;

// The tests check the status → exception table (Ensure.ExceptionFor) directly: MC_ERR_INTERNAL cannot be
// provoked from outside.
[assembly: InternalsVisibleTo("MarketingCloud.Auth.Tests")]

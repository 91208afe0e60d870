using System.Linq;
using MarketingCloud.Auth;
using MarketingCloud.Auth.Asmx;    // MarketingCloud.Auth.Asmx.dll: references System.Web.Services
using PartnerApi.Asmx;             // generated, unedited: wsdl -namespace:PartnerApi.Asmx etframework.wsdl

public static class AsmxSoap
{
    public static int CreateSubscribers(MarketingCloudAuth auth, params string[] names)
    {
        // The generated PartnerAPI, sending fueloauth on every call, pointed at auth.SoapEndpoint.
        PartnerAPI proxy = FuelOAuthAsmx.Create<PartnerAPI>(auth);
        APIObject[] objects = names.Select(n => new APIObject { CustomerKey = n, Name = n }).ToArray();

        string requestId, overallStatus;
        // Retried once, with a new token, if the SoapException says the token was rejected.
        CreateResult[] results = proxy.Invoke(p => p.Create(objects, out requestId, out overallStatus));
        return results.Count(r => r.StatusCode == "OK");
    }
}

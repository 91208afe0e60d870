using System.Linq;
using System.ServiceModel;
using MarketingCloud.Auth;
using MarketingCloud.Auth.Wcf;     // MarketingCloud.Auth.Wcf.dll: references System.ServiceModel
using PartnerApi.Wcf;              // your service reference to etframework.wsdl (ISoap, RetrieveRequestMsg, ...)

public static class WcfSoap
{
    public static string[] SubscriberNames(MarketingCloudAuth auth)
    {
        // Transport security for the tenant's https endpoint; None only for a local http test server.
        var binding = new BasicHttpBinding(
            auth.SoapEndpoint.StartsWith("https:") ? BasicHttpSecurityMode.Transport : BasicHttpSecurityMode.None);
        var factory = new ChannelFactory<ISoap>(binding, new EndpointAddress(auth.SoapEndpoint));
        var fuelOAuth = new FuelOAuthBehavior(auth);
        factory.Endpoint.EndpointBehaviors.Add(fuelOAuth);   // every message carries fueloauth
        try
        {
            ISoap soap = factory.CreateChannel();
            var request = new RetrieveRequestMsg
            {
                RetrieveRequest = new RetrieveRequest { ObjectType = "Subscriber", Properties = new[] { "Name" } },
            };

            // Retried once, with a new token, if the fault says the token was rejected.
            RetrieveResponseMsg response = fuelOAuth.Invoke(() => soap.Retrieve(request));
            return response.Results.Select(r => r.Name).ToArray();
        }
        finally
        {
            factory.Abort();
        }
    }
}

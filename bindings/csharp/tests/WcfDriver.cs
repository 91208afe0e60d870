using System.Linq;
using System.ServiceModel;
using System.Threading.Tasks;
using MarketingCloud.Auth.Wcf;
using NUnit.Framework;
using PartnerApi.Wcf;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>
    /// A WCF channel with <see cref="FuelOAuthBehavior"/>: calls Create through <c>Invoke</c>, either synchronously
    /// or through its Task overload around BeginCreate/EndCreate.
    /// </summary>
    internal sealed class WcfDriver : ClientDriver
    {
        private readonly FuelOAuthBehavior _fuelOAuth;
        private readonly ChannelFactory<ISoap> _factory;
        private readonly ISoap _channel;
        private readonly bool _beginEnd;

        internal WcfDriver(MarketingCloudAuth auth, FirstAttempt first, bool beginEnd)
            : base(first)
        {
            _fuelOAuth = new FuelOAuthBehavior(auth);
            _factory = new ChannelFactory<ISoap>(new BasicHttpBinding(), new EndpointAddress(auth.SoapEndpoint));
            _factory.Endpoint.EndpointBehaviors.Add(_fuelOAuth);
            _channel = _factory.CreateChannel();
            _beginEnd = beginEnd;
        }

        internal override string CallCounter
        {
            get { return "soap_calls"; }
        }

        internal override string Call(int call)
        {
            // GetResult rather than Result: a fault reaches the caller as itself, not inside an AggregateException.
            CreateResponse created = _beginEnd
                ? _fuelOAuth.Invoke<CreateResponse>(() => First.AroundAsync(
                    () => Task.Factory.FromAsync(_channel.BeginCreate, _channel.EndCreate, Create(call), null))).GetAwaiter().GetResult()
                : _fuelOAuth.Invoke(() => First.Around(() => _channel.Create(Create(call))));
            return string.Join(",", created.Results.Select(r => r.Object.CustomerKey));
        }

        internal override void AssertTheRejectionReachesTheCaller()
        {
            FaultException fault = Assert.Throws<FaultException>(() => Call(0));
            StringAssert.Contains("Token Expired", fault.Message);
        }

        internal override int RetrieveOutsideInvoke()
        {
            var request = new RetrieveRequestMsg { RetrieveRequest = new RetrieveRequest { ObjectType = "Subscriber", Properties = new[] { "Name" } } };
            return _channel.Retrieve(request).Results.Length;
        }

        public override void Dispose()
        {
            _factory.Abort();
        }

        private static CreateRequest Create(int call)
        {
            return new CreateRequest { Objects = KeysOf(call).Select(key => new APIObject { CustomerKey = key, Name = "call " + call }).ToArray() };
        }
    }
}

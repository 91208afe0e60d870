using System.Linq;
using System.Web.Services.Protocols;
using MarketingCloud.Auth.Asmx;
using NUnit.Framework;
using PartnerApi.Asmx;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>The generated PartnerAPI proxy from <see cref="FuelOAuthAsmx.Create{TProxy}"/>: calls Create through <c>Invoke</c>.</summary>
    internal sealed class AsmxDriver : ClientDriver
    {
        private readonly PartnerAPI _proxy;

        internal AsmxDriver(MarketingCloudAuth auth, FirstAttempt first)
            : base(first)
        {
            _proxy = FuelOAuthAsmx.Create<PartnerAPI>(auth);
        }

        internal override string CallCounter
        {
            get { return "soap_calls"; }
        }

        internal override string Call(int call)
        {
            CreateResult[] created = _proxy.Invoke(p => First.Around(() => Create(p, call)));
            return string.Join(",", created.Select(r => r.Object.CustomerKey));
        }

        internal override void AssertTheRejectionReachesTheCaller()
        {
            SoapException fault = Assert.Throws<SoapHeaderException>(() => Call(0));
            StringAssert.Contains("Token Expired", fault.Message);
        }

        internal override int RetrieveOutsideInvoke()
        {
            string requestId;
            APIObject[] results;
            _proxy.Retrieve(new RetrieveRequest { ObjectType = "Subscriber", Properties = new[] { "Name" } }, out requestId, out results);
            return results.Length;
        }

        public override void Dispose()
        {
            _proxy.Dispose();
        }

        private static CreateResult[] Create(PartnerAPI proxy, int call)
        {
            APIObject[] objects = KeysOf(call).Select(key => new APIObject { CustomerKey = key, Name = "call " + call }).ToArray();
            string requestId;
            string overallStatus;
            return proxy.Create(objects, out requestId, out overallStatus);
        }
    }
}

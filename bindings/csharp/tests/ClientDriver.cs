using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace MarketingCloud.Auth.Tests
{
    /// <summary>The binding's clients that send the token on an API call and retry once when it is rejected.</summary>
    public enum Client
    {
        /// <summary><c>FuelOAuthBehavior.Invoke</c> around a synchronous WCF operation.</summary>
        Wcf,

        /// <summary><c>FuelOAuthBehavior.Invoke</c>'s Task overload around a Begin/End pair.</summary>
        WcfTask,

        /// <summary><c>FuelOAuthAsmx.Invoke</c> around the proxy Mono's wsdl generated.</summary>
        Asmx,

        /// <summary>An <c>HttpClient</c> with <c>McAuthHandler</c>.</summary>
        HttpClient,
    }

    /// <summary>
    /// One <see cref="Client"/> on an instance, driven alike for <see cref="AuthenticatedCallTests"/>: call number N
    /// carries the keys kN-0, kN-1 and kN-2 and returns the keys the service sent back, so a scenario sees that a
    /// retried call arrived whole, whichever client made it.
    /// </summary>
    internal abstract class ClientDriver : IDisposable
    {
        protected ClientDriver(FirstAttempt first)
        {
            First = first ?? new FirstAttempt();
        }

        /// <summary>The counter of the fake's <c>/_stats</c> that counts this client's API calls.</summary>
        internal abstract string CallCounter { get; }

        /// <summary>What the scenario does around the first attempt of a call.</summary>
        protected FirstAttempt First { get; }

        /// <summary>Opens <paramref name="client"/> on <paramref name="auth"/>; opening sends nothing.</summary>
        internal static ClientDriver Open(Client client, MarketingCloudAuth auth, FirstAttempt first = null)
        {
            switch (client)
            {
                case Client.Wcf:
                    return new WcfDriver(auth, first, false);
                case Client.WcfTask:
                    return new WcfDriver(auth, first, true);
                case Client.Asmx:
                    return new AsmxDriver(auth, first);
                case Client.HttpClient:
                    return new HttpClientDriver(auth, first);
                default:
                    throw new ArgumentOutOfRangeException(nameof(client));
            }
        }

        /// <summary>The keys call number <paramref name="call"/> sends, as <see cref="Call"/> returns them.</summary>
        internal static string Keys(int call)
        {
            return string.Join(",", KeysOf(call));
        }

        /// <summary>One call through the client's retry, carrying <see cref="Keys"/>; returns the keys that came back.</summary>
        internal abstract string Call(int call);

        /// <summary>Makes a call the API rejects, and asserts the rejection reached the caller as this client passes it on.</summary>
        internal abstract void AssertTheRejectionReachesTheCaller();

        /// <summary>Retrieves the fake's two subscribers with no retry around the call: only the header is at work.</summary>
        internal abstract int RetrieveOutsideInvoke();

        public abstract void Dispose();

        protected static string[] KeysOf(int call)
        {
            return Enumerable.Range(0, 3).Select(n => "k" + call + "-" + n).ToArray();
        }
    }

    /// <summary>
    /// What a scenario does around the first attempt a client makes, once: just before it is sent (after the
    /// client read its token), or after its answer arrived and before the client has seen it.
    /// </summary>
    internal sealed class FirstAttempt
    {
        private int _started;

        internal Action BeforeSend { get; set; }

        internal Action AfterAnswer { get; set; }

        internal T Around<T>(Func<T> send)
        {
            if (Interlocked.Exchange(ref _started, 1) == 1)
            {
                return send();
            }

            BeforeSend?.Invoke();
            try
            {
                return send();
            }
            finally
            {
                AfterAnswer?.Invoke();
            }
        }

        internal async Task<T> AroundAsync<T>(Func<Task<T>> send)
        {
            if (Interlocked.Exchange(ref _started, 1) == 1)
            {
                return await send();
            }

            BeforeSend?.Invoke();
            try
            {
                return await send();
            }
            finally
            {
                AfterAnswer?.Invoke();
            }
        }
    }
}

using System;
using System.ServiceModel;
using System.ServiceModel.Channels;
using System.ServiceModel.Description;
using System.ServiceModel.Dispatcher;
using System.Threading;
using System.Threading.Tasks;

namespace MarketingCloud.Auth.Wcf
{
    /// <summary>
    /// Adds Marketing Cloud's <c>fueloauth</c> SOAP header, with a valid token, to every message a WCF client
    /// endpoint sends: <c>factory.Endpoint.EndpointBehaviors.Add(new FuelOAuthBehavior(auth))</c>.
    /// <see cref="Invoke{TResult}(Func{TResult})"/> retries a call once when its token was rejected.
    /// </summary>
    /// <remarks>
    /// <para><see cref="Invoke{TResult}(Func{TResult})"/> gives its call a tracker through an
    /// <see cref="AsyncLocal{T}"/>, which the message inspector that adds the header sees when WCF runs it within
    /// the call (on the calling thread, as synchronous calls do everywhere and every call does on .NET Framework);
    /// the inspector notes there which token that call sent. Concurrent calls on one channel each have their own
    /// tracker, so each invalidates only its own token.</para>
    /// <para>Mono runs a Begin/End call's inspectors on a thread-pool thread without the caller's execution
    /// context, so the tracker never hears from them: there <c>Invoke</c> invalidates the token that was cached
    /// when the call started, read just before starting it. That is the token sent unless another call replaced
    /// it in between; then the invalidation is a no-op (the native library drops only a matching token) and the
    /// fault of the retry reaches the caller: never a loop, never a good token dropped.</para>
    /// </remarks>
    public sealed class FuelOAuthBehavior : IEndpointBehavior
    {
        private readonly MarketingCloudAuth _auth;

        // The call an Invoke is running on this logical thread of control, if any.
        private readonly AsyncLocal<SentToken> _currentCall = new AsyncLocal<SentToken>();

        /// <summary>Creates the behavior.</summary>
        /// <param name="auth">Where tokens come from; used for the endpoint's whole life, not disposed by it.</param>
        /// <exception cref="ArgumentNullException"><paramref name="auth"/> is null.</exception>
        public FuelOAuthBehavior(MarketingCloudAuth auth)
        {
            _auth = auth ?? throw new ArgumentNullException(nameof(auth));
        }

        /// <summary>
        /// Runs <paramref name="call"/>, one operation on a channel of an endpoint with this behavior; when it fails
        /// with a SOAP fault that means its token was rejected ("Token Expired", "Login Failed": the native library
        /// decides on the fault as received), invalidates exactly the token that call sent and runs it once more.
        /// A second rejection reaches the caller.
        /// </summary>
        /// <param name="call">One operation; it may run twice, so it should make only that call.</param>
        /// <exception cref="ArgumentNullException"><paramref name="call"/> is null.</exception>
        /// <exception cref="FaultException">The call's own fault, or a second rejection.</exception>
        public TResult Invoke<TResult>(Func<TResult> call)
        {
            if (call == null)
            {
                throw new ArgumentNullException(nameof(call));
            }

            SentToken outer = _currentCall.Value;
            try
            {
                var first = new SentToken(_auth.GetToken());
                _currentCall.Value = first;
                try
                {
                    return call();
                }
                catch (FaultException fault) when (IsTokenRejected(fault))
                {
                    _auth.Invalidate(first.Sent);
                }

                _currentCall.Value = null;
                return call();
            }
            finally
            {
                _currentCall.Value = outer;
            }
        }

        /// <summary>
        /// As <see cref="Invoke{TResult}(Func{TResult})"/>, for an asynchronous operation (e.g. a Begin/End pair
        /// wrapped by <see cref="TaskFactory.FromAsync{TResult}(IAsyncResult, Func{IAsyncResult, TResult})"/>).
        /// </summary>
        /// <param name="call">Starts one operation; it may be started twice.</param>
        /// <exception cref="ArgumentNullException"><paramref name="call"/> is null.</exception>
        public async Task<TResult> Invoke<TResult>(Func<Task<TResult>> call)
        {
            if (call == null)
            {
                throw new ArgumentNullException(nameof(call));
            }

            // An async method restores the caller's AsyncLocal values when it returns: no finally needed.
            var first = new SentToken(await _auth.GetTokenAsync().ConfigureAwait(false));
            _currentCall.Value = first;
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (FaultException fault) when (IsTokenRejected(fault))
            {
                _auth.Invalidate(first.Sent);
            }

            _currentCall.Value = null;
            return await call().ConfigureAwait(false);
        }

        // The fault's text, as the exception keeps it: Mono's WCF shows fault replies to no inspector.
        private static bool IsTokenRejected(FaultException fault)
        {
            return SoapFault.IsTokenRejected(fault.Reason?.ToString() ?? fault.Message);
        }

        /// <inheritdoc />
        public void ApplyClientBehavior(ServiceEndpoint endpoint, ClientRuntime clientRuntime)
        {
            clientRuntime.MessageInspectors.Add(new Inspector(this));
        }

        /// <inheritdoc />
        public void AddBindingParameters(ServiceEndpoint endpoint, BindingParameterCollection bindingParameters)
        {
        }

        /// <inheritdoc />
        public void ApplyDispatchBehavior(ServiceEndpoint endpoint, EndpointDispatcher endpointDispatcher)
        {
        }

        /// <inheritdoc />
        public void Validate(ServiceEndpoint endpoint)
        {
        }

        private sealed class Inspector : IClientMessageInspector
        {
            private readonly FuelOAuthBehavior _behavior;

            internal Inspector(FuelOAuthBehavior behavior)
            {
                _behavior = behavior;
            }

            public object BeforeSendRequest(ref Message request, IClientChannel channel)
            {
                string token = _behavior._auth.GetToken();
                request.Headers.Add(new FuelOAuthHeader(MarketingCloudAuth.SoapHeaderFor(token)));

                SentToken call = _behavior._currentCall.Value;
                if (call != null)
                {
                    call.Token = token;
                }

                return null;
            }

            public void AfterReceiveReply(ref Message reply, object correlationState)
            {
            }
        }

        private sealed class SentToken
        {
            // Read from the cache just before the call started.
            private readonly string _cachedAtStart;

            internal SentToken(string cachedAtStart)
            {
                _cachedAtStart = cachedAtStart;
            }

            // Set by the inspector when it runs within the call.
            internal string Token;

            internal string Sent
            {
                get { return Token ?? _cachedAtStart; }
            }
        }
    }
}

using System;
using System.Runtime.InteropServices;

namespace MarketingCloud.Auth
{
    /// <summary>
    /// Owns one native <c>mc_auth*</c>. <see cref="SafeHandle"/> gives the guarantees the binding relies on:
    /// the handle is freed exactly once, never while a P/Invoke call still uses it, and by the critical
    /// finalizer when the owner was never disposed.
    /// </summary>
    internal sealed class McAuthHandle : SafeHandle
    {
        // The marshaller creates instances itself for the `out McAuthHandle` of mc_auth_new.
        public McAuthHandle()
            : base(IntPtr.Zero, true)
        {
        }

        public override bool IsInvalid
        {
            get { return handle == IntPtr.Zero; }
        }

        protected override bool ReleaseHandle()
        {
            NativeMethods.mc_auth_free(handle);
            return true;
        }
    }
}

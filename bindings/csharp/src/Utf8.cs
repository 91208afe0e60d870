using System;
using System.Text;

namespace MarketingCloud.Auth
{
    /// <summary>
    /// Hand-made UTF-8 marshalling, identical on .NET Framework, Mono and .NET (see <see cref="NativeMethods"/>).
    /// </summary>
    internal static class Utf8
    {
        // Strict: a lone surrogate would otherwise be replaced silently and the server would see a
        // different credential; EncoderFallbackException is an ArgumentException, as callers expect.
        private static readonly Encoding Strict = new UTF8Encoding(false, true);

        /// <summary>Encodes <paramref name="value"/> as NUL-terminated UTF-8; null stays null (a NULL pointer).</summary>
        /// <exception cref="ArgumentException">The string contains U+0000 (C would silently cut it there) or a lone surrogate.</exception>
        internal static byte[] ToNative(string value, string paramName)
        {
            if (value == null)
            {
                return null;
            }

            if (value.IndexOf('\0') >= 0)
            {
                throw new ArgumentException("The string must not contain a NUL character.", paramName);
            }

            int length = Strict.GetByteCount(value);
            var bytes = new byte[length + 1];
            Strict.GetBytes(value, 0, value.Length, bytes, 0);
            return bytes;
        }

        /// <summary>Copies a NUL-terminated UTF-8 string the caller keeps owning (static or thread-local text).</summary>
        internal static unsafe string FromNative(IntPtr text)
        {
            if (text == IntPtr.Zero)
            {
                return null;
            }

            // Pointer scan rather than Marshal.ReadByte per byte: GetToken's hot path runs through here.
            byte* start = (byte*)text;
            byte* end = start;
            while (*end != 0)
            {
                end++;
            }

            return Encoding.UTF8.GetString(start, (int)(end - start));
        }

        /// <summary>Decodes the NUL-terminated UTF-8 text at the start of <paramref name="buffer"/>.</summary>
        internal static string FromBuffer(byte[] buffer)
        {
            int length = Array.IndexOf(buffer, (byte)0);
            return Encoding.UTF8.GetString(buffer, 0, length < 0 ? buffer.Length : length);
        }

        /// <summary>Copies a string returned through <c>char **</c>, then releases it with <c>mc_string_free</c>.</summary>
        internal static string TakeOwned(IntPtr text)
        {
            try
            {
                return FromNative(text);
            }
            finally
            {
                NativeMethods.mc_string_free(text);
            }
        }
    }
}

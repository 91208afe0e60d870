using System.Security;

namespace MarketingCloud.Auth
{
    /// <summary>
    /// Asks the native library whether a SOAP fault that a SOAP stack has already turned into an exception means
    /// a rejected token. Compiled into each SOAP assembly (ASMX, WCF) from this one file.
    /// </summary>
    /// <remarks>
    /// The stacks keep only the fault's code and text (ASMX always; WCF on Mono does not show the fault to message
    /// inspectors), so the fault is rebuilt around its text: the native check reads only <c>faultstring</c> (by
    /// element name; the code plays no part), and Marketing Cloud sends faults with HTTP 500. Which texts count
    /// stays the native library's decision.
    /// </remarks>
    internal static class SoapFault
    {
        internal static bool IsTokenRejected(string faultString)
        {
            string envelope =
                "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><soap:Fault>" +
                "<faultstring>" + SecurityElement.Escape(faultString ?? string.Empty) + "</faultstring>" +
                "</soap:Fault></soap:Body></soap:Envelope>";
            return MarketingCloudAuth.IsTokenRejected(500, envelope);
        }
    }
}

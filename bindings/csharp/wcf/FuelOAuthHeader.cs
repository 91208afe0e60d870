using System.IO;
using System.ServiceModel.Channels;
using System.Xml;

namespace MarketingCloud.Auth.Wcf
{
    /// <summary>
    /// The native library's <c>fueloauth</c> element (<see cref="MarketingCloudAuth.SoapHeaderFor"/>) as a WCF header.
    /// </summary>
    /// <remarks>
    /// A plain <see cref="MessageHeader.CreateHeader(string, string, object)"/> would serialize a value inside its
    /// own element (an element nested in <c>fueloauth</c>, or the markup escaped as text). This writes the native
    /// element itself: its name, namespace declarations and token, and no WCF attributes (mustUnderstand, actor).
    /// </remarks>
    internal sealed class FuelOAuthHeader : MessageHeader
    {
        private readonly string _element;
        private readonly string _prefix;
        private readonly string _name;
        private readonly string _namespace;
        private readonly string _token;

        internal FuelOAuthHeader(string element)
        {
            _element = element;
            using (XmlReader reader = Read(element))
            {
                _prefix = reader.Prefix;
                _name = reader.LocalName;
                _namespace = reader.NamespaceURI;
                _token = reader.ReadElementContentAsString();
            }
        }

        public override string Name
        {
            get { return _name; }
        }

        public override string Namespace
        {
            get { return _namespace; }
        }

        protected override void OnWriteStartHeader(XmlDictionaryWriter writer, MessageVersion messageVersion)
        {
            using (XmlReader reader = Read(_element))
            {
                writer.WriteStartElement(_prefix, _name, _namespace);
                writer.WriteAttributes(reader, false);
            }
        }

        protected override void OnWriteHeaderContents(XmlDictionaryWriter writer, MessageVersion messageVersion)
        {
            writer.WriteString(_token);
        }

        private static XmlReader Read(string element)
        {
            XmlReader reader = XmlReader.Create(new StringReader(element));
            reader.MoveToContent();
            return reader;
        }
    }
}

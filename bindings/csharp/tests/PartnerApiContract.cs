using System;
using System.ServiceModel;
using System.Xml.Serialization;

// The WCF contract of tests/fake-mc/etframework.wsdl, written by hand as a service reference would generate it
// (Mono's svcutil produces nothing for it): XmlSerializer message contracts, Retrieve and Create, no header.
// XmlSerializerFormat is repeated on each operation: Mono's WCF ignores it on the interface alone and falls
// back to the DataContractSerializer, whose XML the service does not read. Every element of a type's sequence is
// declared, whether a test reads it or not: reading a type whose members have an Order, Mono's XmlSerializer does
// not skip the elements it lacks (with only Object declared, CreateResult.Object comes back null).
namespace PartnerApi.Wcf
{
    internal static class Ns
    {
        internal const string PartnerApi = "http://exacttarget.com/wsdl/partnerAPI";
    }

    [ServiceContract(Namespace = Ns.PartnerApi, Name = "Soap")]
    [XmlSerializerFormat]
    public interface ISoap
    {
        [XmlSerializerFormat]
        [OperationContract(Action = "Retrieve", ReplyAction = "*")]
        RetrieveResponseMsg Retrieve(RetrieveRequestMsg request);

        [XmlSerializerFormat]
        [OperationContract(Action = "Create", ReplyAction = "*")]
        CreateResponse Create(CreateRequest request);

        [XmlSerializerFormat]
        [OperationContract(Action = "Create", ReplyAction = "*", AsyncPattern = true)]
        IAsyncResult BeginCreate(CreateRequest request, AsyncCallback callback, object state);

        CreateResponse EndCreate(IAsyncResult result);
    }

    [XmlType(Namespace = Ns.PartnerApi)]
    public class APIObject
    {
        [XmlElement(Order = 0)]
        public string ObjectID { get; set; }

        [XmlElement(Order = 1)]
        public string CustomerKey { get; set; }

        [XmlElement(Order = 2)]
        public string Name { get; set; }
    }

    [XmlType(Namespace = Ns.PartnerApi)]
    public class RetrieveRequest
    {
        [XmlElement(Order = 0)]
        public string ObjectType { get; set; }

        [XmlElement("Properties", Order = 1)]
        public string[] Properties { get; set; }
    }

    [XmlType(Namespace = Ns.PartnerApi)]
    public class CreateResult
    {
        [XmlElement(Order = 0)]
        public string StatusCode { get; set; }

        [XmlElement(Order = 1)]
        public string StatusMessage { get; set; }

        [XmlElement(Order = 2)]
        public int OrdinalID { get; set; }

        [XmlElement(Order = 3)]
        public int NewID { get; set; }

        [XmlElement(Order = 4)]
        public APIObject Object { get; set; }
    }

    [MessageContract(WrapperName = "RetrieveRequestMsg", WrapperNamespace = Ns.PartnerApi, IsWrapped = true)]
    public class RetrieveRequestMsg
    {
        [MessageBodyMember(Namespace = Ns.PartnerApi, Order = 0)]
        public RetrieveRequest RetrieveRequest;
    }

    [MessageContract(WrapperName = "RetrieveResponseMsg", WrapperNamespace = Ns.PartnerApi, IsWrapped = true)]
    public class RetrieveResponseMsg
    {
        [MessageBodyMember(Namespace = Ns.PartnerApi, Order = 0)]
        public string OverallStatus;

        [MessageBodyMember(Namespace = Ns.PartnerApi, Order = 1)]
        public string RequestID;

        [MessageBodyMember(Namespace = Ns.PartnerApi, Order = 2)]
        [XmlElement("Results")]
        public APIObject[] Results;
    }

    [MessageContract(WrapperName = "CreateRequest", WrapperNamespace = Ns.PartnerApi, IsWrapped = true)]
    public class CreateRequest
    {
        [MessageBodyMember(Namespace = Ns.PartnerApi, Order = 0)]
        [XmlElement("Objects")]
        public APIObject[] Objects;
    }

    [MessageContract(WrapperName = "CreateResponse", WrapperNamespace = Ns.PartnerApi, IsWrapped = true)]
    public class CreateResponse
    {
        [MessageBodyMember(Namespace = Ns.PartnerApi, Order = 0)]
        [XmlElement("Results")]
        public CreateResult[] Results;

        [MessageBodyMember(Namespace = Ns.PartnerApi, Order = 1)]
        public string RequestID;

        [MessageBodyMember(Namespace = Ns.PartnerApi, Order = 2)]
        public string OverallStatus;
    }
}

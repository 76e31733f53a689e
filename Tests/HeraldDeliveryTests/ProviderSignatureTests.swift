import Foundation
import Testing
import HeraldCrypto
import HeraldDelivery

/// Each provider's request signature reproduces the provider's own published example byte
/// for byte.
@Suite struct ProviderSignatureTests {
    /// Tencent Cloud's "Signature v3" worked example: CVM DescribeInstances in ap-guangzhou,
    /// GET `Limit=10&Offset=0`, timestamp 1539084154, the documented example keys.
    @Test func tencentTC3ReproducesThePublishedExample() {
        let signer = TencentSignature(secretID: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                                      secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", service: "cvm")
        let signed = signer.sign(method: "GET", query: "Limit=10&Offset=0", contentType: "application/x-www-form-urlencoded",
                                 host: "cvm.tencentcloudapi.com", payload: [], timestamp: 1_539_084_154)
        #expect(signed.canonicalRequestHash == "91c9c192c14460df6c1ffc69e34e6c5e90708de2a6d282cccf957dbf1aa7f3a7")
        #expect(signed.signature == "5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474")
        #expect(signed.authorization == "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2018-10-09/cvm/"
                + "tc3_request, SignedHeaders=content-type;host, Signature="
                + "5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474")
    }

    /// The credential date is the UTC date of the timestamp, not the local one (Tencent's own
    /// warning: 1551113065 is 26 February in Beijing, 25 February in UTC).
    @Test func tencentScopeUsesTheUTCDate() {
        let signer = TencentSignature(secretID: "id", secretKey: "key", service: "sms")
        let signed = signer.sign(method: "POST", contentType: "application/json; charset=utf-8",
                                 host: "sms.tencentcloudapi.com", payload: Array("{}".utf8), timestamp: 1_551_113_065)
        #expect(signed.authorization.contains("Credential=id/2019-02-25/sms/tc3_request"))
    }

    /// Alibaba Cloud's RPC signature documentation: ECS DescribeRegions, AccessKeySecret
    /// `testsecret`.
    @Test func aliyunRPCReproducesThePublishedExample() {
        let parameters = [
            "AccessKeyId": "testid", "Action": "DescribeRegions", "Format": "XML", "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "SignatureVersion": "1.0",
            "Timestamp": "2016-02-23T12:46:24Z", "Version": "2014-05-26",
        ]
        #expect(AliyunSignature.stringToSign(method: "GET", parameters: parameters)
                == "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
                + "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
                + "%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26")
        #expect(AliyunSignature.signature(method: "GET", parameters: parameters, secret: "testsecret")
                == "OLeaidS1JvxuMvnyHOwuJ+uX5qY=")
    }

    @Test func aliyunPercentEncodingKeepsOnlyUnreservedCharacters() {
        #expect(AliyunSignature.percentEncoded("a b*c~d'(e)!+/") == "a%20b%2Ac~d%27%28e%29%21%2B%2F")
        #expect(AliyunSignature.percentEncoded("悦享") == "%E6%82%A6%E4%BA%AB")
    }
}

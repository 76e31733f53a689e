/// Alibaba Cloud SMS `SendSms` (2017-05-25) codes (`Code` of the answer), each with its
/// class. Sources:
/// - API error codes: https://help.aliyun.com/document_detail/101346.html
/// - gateway errors of every RPC call (signature, timestamp, nonce, throttling):
///   https://alibabacloud.com/help/en/sms/developer-reference/error-codes
/// A code not listed is a provider fault (the next provider is tried, then backoff), except
/// the families below it (`Throttling*`, `InvalidAccessKeyId*`, `Forbidden*`).
enum AliyunSMSCodes {
    static let success = "OK"

    static let table: [String: ProviderCodeClass] = [
        // 非法手机号; 用户已退订推广短信.
        "isv.MOBILE_NUMBER_ILLEGAL": .recipientPermanent,
        "isv.CUSTOMER_REFUSED": .recipientPermanent,
        // 业务限流: per-number frequency limits (1/min, 5/h, 10/day for codes; 50/day per template).
        "isv.BUSINESS_LIMIT_CONTROL": .recipientThrottled,
        // The message itself.
        "isv.SMS_CONTENT_ILLEGAL": .messageRefused,
        "isv.BLACK_KEY_CONTROL_LIMIT": .messageRefused,
        "isv.TEMPLATE_PARAMS_ILLEGAL": .messageRefused,
        "isv.TEMPLATE_MISSING_PARAMETERS": .messageRefused,
        "isv.PARAM_LENGTH_LIMIT": .messageRefused,
        "isv.PARAM_NOT_SUPPORT_URL": .messageRefused,
        "isv.INVALID_JSON_PARAM": .messageRefused,
        "isv.INVALID_PARAMETERS": .messageRefused,
        "isv.MOBILE_COUNT_OVER_LIMIT": .messageRefused,
        // The account: keys, balance, sign and template approval, limits set in the console.
        "isv.SMS_SIGNATURE_SCENE_ILLEGAL": .providerSetup,
        "isv.EXTEND_CODE_ERROR": .providerSetup,
        "isv.SIGN_STATE_ILLEGAL": .providerSetup,
        "isv.DOMESTIC_NUMBER_NOT_SUPPORTED": .providerSetup,
        "isv.DENY_IP_RANGE": .providerSetup,
        "isv.DAY_LIMIT_CONTROL": .providerSetup,
        "isv.MONTH_LIMIT_CONTROL": .providerSetup,
        "isv.SMS_SIGN_ILLEGAL": .providerSetup,
        "isv.SMS_SIGNATURE_ILLEGAL": .providerSetup,
        "isv.SMS_TEMPLATE_ILLEGAL": .providerSetup,
        "isp.RAM_PERMISSION_DENY": .providerSetup,
        "isv.OUT_OF_SERVICE": .providerSetup,
        "isv.PRODUCT_UN_SUBSCRIPT": .providerSetup,
        "isv.PRODUCT_UNSUBSCRIBE": .providerSetup,
        "isv.ACCOUNT_NOT_EXISTS": .providerSetup,
        "isv.ACCOUNT_ABNORMAL": .providerSetup,
        "isv.AMOUNT_NOT_ENOUGH": .providerSetup,
        "SignatureDoesNotMatch": .providerSetup,
        "IncompleteSignature": .providerSetup,
        "InvalidTimeStamp.Expired": .providerSetup,
        "InvalidVersion": .providerSetup,
        "InvalidAction.NotFound": .providerSetup,
        // A nonce seen before: this call was replayed; a new call gets a new nonce.
        "SignatureNonceUsed": .providerFault,
        // The provider's faults.
        "isp.SYSTEM_ERROR": .providerFault,
        "isv.SYSTEM_ERROR": .providerFault,
        "ServiceUnavailable": .providerFault,
        "InternalError": .providerFault,
    ]

    static func classify(_ code: String) -> ProviderCodeClass {
        if let known = table[code] { return known }
        if code.hasPrefix("Throttling") { return .providerThrottled }
        if code.hasPrefix("InvalidAccessKeyId") || code.hasPrefix("Forbidden") { return .providerSetup }
        return .providerFault
    }
}

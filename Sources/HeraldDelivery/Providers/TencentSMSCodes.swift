/// Tencent Cloud SMS API 3.0 codes (`Response.Error.Code`, or `SendStatusSet[].Code`), each
/// with its class. Sources:
/// - SendSms errors: https://cloud.tencent.com/document/api/382/55981 (section 5) and the
///   SMS error code list https://cloud.tencent.com/document/api/382/59177
/// - common errors of every API 3.0 call: https://cloud.tencent.com/document/api/382/52075
/// A code not listed is a provider fault (the next provider is tried, then backoff), except
/// the families below it (`AuthFailure.*`, `UnauthorizedOperation.*`, `RequestLimitExceeded*`).
enum TencentSMSCodes {
    static let success = "Ok"

    static let table: [String: ProviderCodeClass] = [
        // 手机号在免打扰名单库中 (unsubscribed, or the carrier's do-not-disturb list).
        "FailedOperation.PhoneNumberInBlacklist": .recipientPermanent,
        // 手机号格式错误.
        "InvalidParameterValue.IncorrectPhoneNumber": .recipientPermanent,
        // 单个手机号 30 秒 / 1 小时 / 日 条数上限, 相同内容上限, 频率限制策略.
        "LimitExceeded.PhoneNumberThirtySecondLimit": .recipientThrottled,
        "LimitExceeded.PhoneNumberOneHourLimit": .recipientThrottled,
        "LimitExceeded.PhoneNumberDailyLimit": .recipientThrottled,
        "LimitExceeded.PhoneNumberSameContentDailyLimit": .recipientThrottled,
        "LimitExceeded.DeliveryFrequencyLimit": .recipientThrottled,
        // 营销短信只允许在 8 点到 22 点发送: the send waits for its window's next opening.
        "FailedOperation.MarketingSendTimeConstraint": .recipientThrottled,
        // The message itself.
        "FailedOperation.ContainSensitiveWord": .messageRefused,
        "InvalidParameterValue.ContentLengthLimit": .messageRefused,
        "InvalidParameterValue.TemplateParameterFormatError": .messageRefused,
        "InvalidParameterValue.TemplateParameterLengthLimit": .messageRefused,
        "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": .messageRefused,
        "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": .messageRefused,
        "FailedOperation.FailResolvePacket": .messageRefused,
        "FailedOperation.JsonParseFail": .messageRefused,
        "MissingParameter.EmptyPhoneNumberSet": .messageRefused,
        "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber": .messageRefused,
        // The account: balance, sign and template approval, the app id, permissions.
        "FailedOperation.InsufficientBalanceInSmsPackage": .providerSetup,
        "FailedOperation.SignatureIncorrectOrUnapproved": .providerSetup,
        "FailedOperation.TemplateIncorrectOrUnapproved": .providerSetup,
        "FailedOperation.TemplateUnapprovedOrNotExist": .providerSetup,
        "InvalidParameterValue.SdkAppIdNotExist": .providerSetup,
        "UnauthorizedOperation.SdkAppIdIsDisabled": .providerSetup,
        "UnauthorizedOperation.ServiceSuspendDueToArrears": .providerSetup,
        "UnauthorizedOperation.SmsSdkAppIdVerifyFail": .providerSetup,
        "UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny": .providerSetup,
        "UnauthorizedOperation.RequestIpNotInWhitelist": .providerSetup,
        "UnauthorizedOperation.RequestPermissionDeny": .providerSetup,
        "UnsupportedOperation.UnsupportedRegion": .providerSetup,
        "LimitExceeded.AppDailyLimit": .providerSetup,
        "LimitExceeded.DailyLimit": .providerSetup,
        "LimitExceeded.AppCountryOrRegionDailyLimit": .providerSetup,
        "InternalError.SigVerificationFail": .providerSetup,
        "InternalError.SigFieldMissing": .providerSetup,
        "InternalError.RequestTimeException": .providerSetup,
        // The provider's faults.
        "InternalError.OtherError": .providerFault,
        "InternalError.Timeout": .providerFault,
        "InternalError.SendAndRecvFail": .providerFault,
        "InternalError.UnknownError": .providerFault,
        "InternalError.RestApiInterfaceNotExist": .providerSetup,
        "InternalError": .providerFault,
        "ResourceUnavailable": .providerFault,
    ]

    static func classify(_ code: String) -> ProviderCodeClass {
        if let known = table[code] { return known }
        if code.hasPrefix("AuthFailure") || code.hasPrefix("UnauthorizedOperation") { return .providerSetup }
        if code.hasPrefix("RequestLimitExceeded") { return .providerThrottled }
        if code.hasPrefix("InvalidParameter") || code.hasPrefix("MissingParameter") { return .messageRefused }
        return .providerFault
    }
}

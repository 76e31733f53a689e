import HeraldCore

extension ProviderOptions {
    /// The options every template-based SMS adapter reads through `smsCommon`.
    static let smsCommonKeys = ["sign_name", "region", "endpoint", ProviderMappingRules.lengthOption, receiptPullKey]
        + GatewayEndpoint.keys

    /// `sign_name`: the approved sign's text (2–12 characters; carriers add the 【】).
    func signName() -> String? {
        guard let signName = string("sign_name", required: true) else { return nil }
        guard (2...12).contains(signName.count) else {
            problem("sign_name", "expected the approved sign's text, 2 to 12 characters without 【】 "
                        + "(such as \"悦享会员\"), found \"\(signName)\"")
            return nil
        }
        return signName
    }

    /// `region` (letters, digits and `-`), else `fallback`.
    func region(default fallback: String) -> String? {
        let region = string("region") ?? fallback
        guard !region.isEmpty, region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            problem("region", "expected a region such as \"\(fallback)\", found \"\(region)\"")
            return nil
        }
        return region
    }

    /// What every template-based SMS adapter reads besides its keys: the endpoint (https
    /// unless loopback), sign, region, the param length override and the receipt interval.
    func smsCommon(defaultEndpoint: String, defaultRegion: String)
        -> (endpoint: GatewayEndpoint, signName: String, region: String, pullEvery: TimeSpan?)? {
        let endpoint = GatewayEndpoint(self, urlKey: "endpoint", defaultURL: defaultEndpoint, httpsUnlessLoopback: true)
        let signName = signName()
        let region = region(default: defaultRegion)
        _ = integer(ProviderMappingRules.lengthOption, in: ProviderMappingRules.lengthRange)
        let pullEvery = receiptPullInterval
        guard let endpoint, let signName, let region else { return nil }
        return (endpoint, signName, region, pullEvery)
    }
}

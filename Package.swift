// swift-tools-version:6.0
import PackageDescription

/// Settings every Herald target shares: Swift 6 mode is the package default;
/// these upcoming features keep existentials and imports explicit.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Herald",
    products: [
        .executable(name: "herald", targets: ["herald"]),
        .executable(name: "herald-bench", targets: ["herald-bench"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CPostgres",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .target(name: "HeraldCore", swiftSettings: strictSettings),
        // Digests and MACs through libcrypto: provider request signatures (and, later, the store's encryption).
        .target(name: "HeraldCrypto", dependencies: ["CCrypto"], swiftSettings: strictSettings),
        // The store hashes its audit log's chain (and, later, encrypts addresses) through HeraldCrypto.
        .target(name: "HeraldStore", dependencies: ["HeraldCore", "HeraldCrypto", "CSQLite", "CPostgres"],
                swiftSettings: strictSettings),
        .target(name: "HeraldDelivery", dependencies: ["HeraldCore", "HeraldCrypto", "CCurl"],
                swiftSettings: strictSettings),
        .target(
            name: "HeraldWorker",
            dependencies: ["HeraldCore", "HeraldStore", "HeraldDelivery"],
            swiftSettings: strictSettings
        ),
        // The HTTP edge (`herald serve`): tracked links, receipts, replies, unsubscribe, on libmicrohttpd.
        .target(
            name: "HeraldEdge",
            dependencies: ["HeraldCore", "HeraldStore", "CMicroHTTPD"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HeraldCLI",
            dependencies: ["HeraldCore", "HeraldStore", "HeraldDelivery", "HeraldWorker", "HeraldEdge"],
            swiftSettings: strictSettings
        ),
        .executableTarget(name: "herald", dependencies: ["HeraldCLI"], swiftSettings: strictSettings),
        .executableTarget(
            name: "herald-bench",
            dependencies: ["HeraldCore", "HeraldCrypto", "HeraldStore", "HeraldDelivery", "HeraldWorker",
                           "HeraldTestSupport"],
            swiftSettings: strictSettings
        ),
        // Helpers the test targets and the benchmark share (temporary folders, a collecting
        // reject sink, store dumps, the loopback HTTP gateway, fake SMS providers).
        .target(
            name: "HeraldTestSupport",
            dependencies: ["HeraldCore", "HeraldCrypto", "HeraldStore", "HeraldWorker"],
            path: "Tests/HeraldTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(name: "HeraldCoreTests", dependencies: ["HeraldCore"], swiftSettings: strictSettings),
        .testTarget(name: "HeraldCryptoTests", dependencies: ["HeraldCrypto"], swiftSettings: strictSettings),
        .testTarget(
            name: "HeraldDeliveryTests",
            dependencies: ["HeraldDelivery", "HeraldCore", "HeraldTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HeraldStoreTests",
            dependencies: ["HeraldStore", "HeraldTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HeraldWorkerTests",
            dependencies: ["HeraldWorker", "HeraldDelivery", "HeraldStore", "HeraldTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HeraldEdgeTests",
            dependencies: ["HeraldEdge", "HeraldStore", "HeraldDelivery", "HeraldWorker", "HeraldTestSupport"],
            swiftSettings: strictSettings
        ),
        // Depends on the `herald` executable so that `swift test` builds the binary
        // the end-to-end tests run (exit codes, kill -9 mid-import).
        .testTarget(
            name: "HeraldCLITests",
            dependencies: ["HeraldCLI", "HeraldStore", "HeraldCrypto", "HeraldWorker", "HeraldTestSupport", "herald"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

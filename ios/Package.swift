// swift-tools-version:5.9
//
// The Danbao Swift package: the Rust core as a static library (DanbaoFFI.xcframework, C module
// `danbaoFFI`), the Swift that UniFFI generates for it (Sources/Danbao/Generated/danbao.swift)
// and the iOS platform services (Secure Enclave signer, Keychain key store, os.Logger).
//
// The xcframework and the generated Swift are build products, not sources: `cargo xtask ios`
// writes both on a Mac (see README.md). Until then this package does not resolve.

import PackageDescription

let package = Package(
    name: "Danbao",
    platforms: [.iOS(.v15)],
    products: [
        .library(name: "Danbao", targets: ["Danbao"]),
    ],
    targets: [
        .binaryTarget(name: "danbaoFFI", path: "DanbaoFFI.xcframework"),
        .target(
            name: "Danbao",
            dependencies: ["danbaoFFI"],
            path: "Sources/Danbao"
        ),
    ]
)

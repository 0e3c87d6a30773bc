// swift-tools-version:6.0
//
// The Danbao Swift package: the Rust core, the Swift that UniFFI generates for it
// (Sources/Danbao/Generated/danbao.swift) and the platform services (Secure Enclave signer,
// Keychain key store, os.Logger, compiled on Apple platforms only).
//
// One library, two ways to link the core:
// - Apple platforms: DanbaoFFI.xcframework, a static library with its C module `danbaoFFI`,
//   written by `cargo xtask ios` on a Mac (see README.md). Until then the package does not
//   resolve there.
// - Linux: the C module in Linux/danbaoFFI (its header staged by `cargo xtask swift`) over
//   the host's libdanbao_ffi.so, passed with -L when linking. This is how the tests run in CI:
//   `cargo xtask swift` builds this package with Swift 6 and runs Tests/ against a real
//   danbao-server.

import PackageDescription

#if os(Linux)
let ffi: Target = .systemLibrary(name: "danbaoFFI", path: "Linux/danbaoFFI")
#else
let ffi: Target = .binaryTarget(name: "danbaoFFI", path: "DanbaoFFI.xcframework")
#endif

let package = Package(
    name: "Danbao",
    platforms: [.iOS(.v17), .macOS(.v14)],
    products: [
        .library(name: "Danbao", targets: ["Danbao"]),
        .library(name: "DanbaoModel", targets: ["DanbaoModel"]),
    ],
    targets: [
        ffi,
        .target(
            name: "Danbao",
            dependencies: ["danbaoFFI"],
            path: "Sources/Danbao"
        ),
        // The app's state holder (the core's cache mirrored through the change listener, busy
        // state, errors, every user action), platform-neutral so that it is tested on Linux;
        // the SwiftUI views of DanbaoApp keep only layout and call it.
        .target(
            name: "DanbaoModel",
            dependencies: ["Danbao"],
            path: "Sources/DanbaoModel"
        ),
        // A P-256 device key for the tests on Linux, over OpenSSL's libcrypto (CryptoKit and
        // the Secure Enclave exist on Apple platforms only).
        .target(
            name: "TestCrypto",
            path: "Tests/TestCrypto",
            linkerSettings: [.linkedLibrary("crypto", .when(platforms: [.linux]))]
        ),
        // `cargo xtask bench ffi`: the cost of a Swift → Rust call (not part of the products).
        .executableTarget(
            name: "CallCost",
            dependencies: ["Danbao"],
            path: "Benchmarks/CallCost"
        ),
        .testTarget(
            name: "DanbaoTests",
            dependencies: ["Danbao", "DanbaoModel", "TestCrypto"],
            path: "Tests/DanbaoTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)

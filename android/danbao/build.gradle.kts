// The Danbao SDK as an Android library (AAR):
// - src/main/kotlin/app/danbao/core/{danbao.kt, domain/danbao_domain.kt, client/danbao_client.kt}:
//   the UniFFI Kotlin, Android flavour, one file per namespace (packages app.danbao.core,
//   app.danbao.core.domain, app.danbao.core.client), written by `cargo xtask bindings` /
//   `cargo xtask android` (not committed; the source set takes the whole directory);
// - src/main/jniLibs/<abi>/libdanbao_ffi.so: the core for arm64-v8a, armeabi-v7a, x86_64 and
//   x86, built by `cargo xtask android` through cargo-ndk (not committed);
// - src/main/kotlin/app/danbao/sdk: the Android Keystore signer and key store, the Logcat logger.
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

android {
    namespace = "app.danbao.sdk"
    compileSdk = 36

    defaultConfig {
        minSdk = 26
        // Applied to every app that depends on this library when it is minified.
        consumerProguardFiles("consumer-rules.pro")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    packaging {
        // Stored uncompressed and page-aligned in the APK, so they load in place (16 KB pages).
        jniLibs.useLegacyPackaging = false
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
}

dependencies {
    // The generated Kotlin calls the core through JNA; the AAR carries JNA's own native
    // libjnidispatch.so for each ABI (the plain jar would carry desktop ones).
    api(libs.jna) {
        artifact { type = "aar" }
    }
    // The Wallet's async methods are `suspend` functions.
    api(libs.kotlinx.coroutines.android)
    // The Android flavour of the generated Kotlin annotates its cleaner with @RequiresApi.
    implementation(libs.androidx.annotation)

    // Plain JVM tests of what needs no Keystore (the SEC1 conversion): ./gradlew :danbao:test
    testImplementation(libs.junit)
}

// The wallet's Compose screens and their state holder (WalletModel), in platform-neutral
// Kotlin: they use only Compose (ui, foundation, material3), coroutines and the danbao SDK, so
// the same sources also compile on the JVM with Compose Multiplatform desktop, where
// android/screens-jvm renders and clicks through them (see android/README.md). Everything
// Android about the app (the Activity, navigation, CameraX/ML Kit, the Keystore, FLAG_SECURE,
// DateUtils) stays in `app` behind PlatformUi and WalletPlatform.
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "app.danbao.wallet.screens"
    compileSdk = 36

    defaultConfig {
        minSdk = 26
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    buildFeatures {
        compose = true
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
}

dependencies {
    api(project(":danbao"))

    api(platform(libs.androidx.compose.bom))
    api(libs.androidx.compose.ui)
    api(libs.androidx.compose.foundation)
    api(libs.androidx.compose.material3)
}

// The Danbao wallet app: the Android glue around the `screens` module (the Compose screens that
// render what the core says and call the Wallet): the Activity, navigation, the CameraX/ML Kit
// scanner, the Keystore, FLAG_SECURE and the words from resources. No money rules live here.
plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "app.danbao.wallet"
    compileSdk = 36

    defaultConfig {
        applicationId = "app.danbao.wallet"
        minSdk = 26
        targetSdk = 36
        versionCode = 1
        versionName = "0.1.0"

        // gradle.properties (or -P on the command line) chooses the server and the currency
        // offered when the user holds none yet.
        val serverUrl = providers.gradleProperty("danbao.serverUrl").getOrElse("http://127.0.0.1:8080")
        val currency = providers.gradleProperty("danbao.currency").getOrElse("CNY")
        buildConfigField("String", "DANBAO_SERVER_URL", "\"$serverUrl\"")
        buildConfigField("String", "DANBAO_CURRENCY", "\"$currency\"")
        // The web host whose https://<host>/pay?code=… links open the app (App Links).
        manifestPlaceholders["danbaoLinkHost"] =
            providers.gradleProperty("danbao.linkHost").getOrElse("pay.danbao.app")
    }

    buildTypes {
        release {
            // R8 with the SDK's consumer rules (JNA and the generated bindings are kept).
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    buildFeatures {
        compose = true
        buildConfig = true
    }

    packaging {
        // The core and JNA stay uncompressed and 16 KB-aligned in the APK.
        jniLibs.useLegacyPackaging = false
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17)
    }
}

dependencies {
    implementation(project(":danbao"))
    implementation(project(":screens"))

    implementation(libs.androidx.core.ktx)
    implementation(libs.androidx.activity.compose)
    implementation(platform(libs.androidx.compose.bom))
    implementation(libs.androidx.compose.ui)
    implementation(libs.androidx.compose.foundation)
    implementation(libs.androidx.compose.material3)
    implementation(libs.androidx.compose.ui.tooling.preview)
    debugImplementation(libs.androidx.compose.ui.tooling)
    implementation(libs.androidx.lifecycle.viewmodel.compose)
    implementation(libs.androidx.lifecycle.runtime.compose)
    implementation(libs.androidx.navigation.compose)

    implementation(libs.androidx.camera.camera2)
    implementation(libs.androidx.camera.lifecycle)
    implementation(libs.androidx.camera.view)
    implementation(libs.mlkit.barcode.scanning)
}

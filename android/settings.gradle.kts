// The Danbao Android project: the `danbao` library (the AAR: generated UniFFI Kotlin, the
// native libraries, the Keystore-backed signer and key store), the platform-neutral Compose
// `screens` and their state holder, and the `app` (Activity, navigation, camera) on them.
pluginManagement {
    repositories {
        google {
            content {
                includeGroupByRegex("com\\.android.*")
                includeGroupByRegex("com\\.google.*")
                includeGroupByRegex("androidx.*")
            }
        }
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "danbao-android"

include(":danbao")
include(":screens")
include(":app")

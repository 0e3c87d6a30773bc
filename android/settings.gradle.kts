// The Danbao Android project: the `danbao` library (the AAR: generated UniFFI Kotlin, the
// native libraries, the Keystore-backed signer and key store) and the Compose `app` on it.
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
include(":app")

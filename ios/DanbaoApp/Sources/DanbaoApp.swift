import Danbao
import DanbaoModel
import SwiftUI

/// The Danbao wallet app: a thin SwiftUI shell over the Rust core (`Danbao` package).
@main
struct DanbaoApp: App {
    @State private var model = WalletModel(platform: PhonePlatform())
    @Environment(\.scenePhase) private var scenePhase

    init() {
        // The core's log lines go to os_log; failing to install it only loses logs.
        try? setLogger(logger: OSLogLogger(), maxLevel: .info)
    }

    var body: some Scene {
        WindowGroup {
            RootView()
                .environment(model)
                .task { await model.open() }
                // A tapped payment link (Universal Link or danbao://pay?code=…): the confirm
                // screen of the code it carries, read by the core exactly as a scanned one.
                .onOpenURL { url in model.openLink(url.absoluteString) }
                // The user changed the phone's language while the app ran: tell the core.
                .onReceive(
                    NotificationCenter.default.publisher(
                        for: NSLocale.currentLocaleDidChangeNotification)
                ) { _ in
                    model.setLocale(Locale.current.identifier(.bcp47))
                }
                // ... or its time zone (travel, or the user changed it).
                .onReceive(
                    NotificationCenter.default.publisher(
                        for: NSNotification.Name.NSSystemTimeZoneDidChange)
                ) { _ in
                    model.setTimeZone(TimeZone.current.identifier)
                }
        }
        .onChange(of: scenePhase) { phase in
            if phase == .active, model.phase == .ready {
                Task { await model.refresh() }
            }
        }
    }
}

/// Chooses the screen for the wallet's phase: opening, first-run sign-up, or the tabs.
struct RootView: View {
    @Environment(WalletModel.self) private var model

    var body: some View {
        Group {
            switch model.phase {
            case .opening:
                ProgressView("Opening the wallet…")
            case .signUp:
                SignUpView()
            case .ready:
                MainTabs()
            case .failed(let reason):
                VStack(spacing: 16) {
                    Text("The wallet cannot open").font(.headline)
                    Text(reason).multilineTextAlignment(.center)
                    Button("Try again") { Task { await model.open() } }
                }
                .padding()
            }
        }
        .alert(
            "Danbao",
            isPresented: Binding(
                get: { model.errorMessage != nil },
                set: { if !$0 { model.errorMessage = nil } }),
            actions: { Button("OK", role: .cancel) {} },
            message: { Text(model.errorMessage ?? "") })
    }
}

/// The signed-up app: home, scan, orders, friends; over them, the confirm sheet of a payment
/// link the app was opened with.
struct MainTabs: View {
    @Environment(WalletModel.self) private var model
    @State private var linked: ScannedCode?

    var body: some View {
        tabs
            .task(id: model.openedLink) {
                if let screen = await model.confirmOpenedLink() {
                    linked = ScannedCode(screen: screen)
                }
            }
            .sheet(item: $linked) { linked in
                NavigationView { PayConfirmView(screen: linked.screen) }
                    .environment(model)
            }
    }

    private var tabs: some View {
        TabView {
            NavigationView { HomeView() }
                .navigationViewStyle(.stack)
                .tabItem { Label("Home", systemImage: "house") }
            NavigationView { ScanView() }
                .navigationViewStyle(.stack)
                .tabItem { Label("Scan", systemImage: "qrcode.viewfinder") }
            NavigationView { OrdersView() }
                .navigationViewStyle(.stack)
                .tabItem { Label("Orders", systemImage: "shippingbox") }
            NavigationView { SendView() }
                .navigationViewStyle(.stack)
                .tabItem { Label("Friends", systemImage: "person.2") }
        }
    }
}

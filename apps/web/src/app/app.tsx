import { LiveProvider } from './api/live.js';
import { Router, useRouter } from './router.js';
import { LoginScreen } from './session/login-screen.js';
import { hasRole, SessionProvider, useSession } from './session/session.js';
import { DirectoryProvider } from './shell/directory.js';
import { Shell } from './shell/shell.js';
import { ErrorBoundary } from './ui/error-boundary.js';
import { ToastProvider } from './ui/toasts.js';
import { InboxScreen } from './inbox/inbox-screen.js';
import { LiveQueueScreen } from './supervisor/live-queue-screen.js';
import { ReportsScreen } from './supervisor/reports-screen.js';
import { SettingsScreen } from './settings/settings-screen.js';

export function App() {
  return (
    <Router>
      <SessionProvider>
        <ToastProvider>
          <Gate />
        </ToastProvider>
      </SessionProvider>
    </Router>
  );
}

function Gate() {
  const { session } = useSession();
  if (!session) return <LoginScreen />;
  return (
    <LiveProvider token={session.accessToken}>
      <DirectoryProvider>
        <Shell>
          <ScreensWithBoundary />
        </Shell>
      </DirectoryProvider>
    </LiveProvider>
  );
}

function ScreensWithBoundary() {
  const { path } = useRouter();
  return (
    <ErrorBoundary resetKey={path}>
      <Screens />
    </ErrorBoundary>
  );
}

function Screens() {
  const { path } = useRouter();
  const { session } = useSession();
  if (!session) return null;
  if (path.startsWith('/queue') && hasRole(session, 'supervisor')) return <LiveQueueScreen />;
  if (path.startsWith('/reports') && hasRole(session, 'supervisor')) return <ReportsScreen />;
  if (path.startsWith('/settings')) return <SettingsScreen />;
  return <InboxScreen />;
}

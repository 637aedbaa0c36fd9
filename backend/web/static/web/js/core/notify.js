// While the page is open: her unread count in the title, and the browser's
// notifications for what is addressed to her (mentions, direct messages) when the tab is
// hidden, if she allowed them.

let baseTitle = document.title;

export function setUnreadTitle(count, title = baseTitle) {
  baseTitle = title;
  const shown = count > 99 ? "99+" : String(count);
  document.title = count > 0 ? `(${shown}) ${title}` : title;
}

export function notificationsSupported() {
  return typeof Notification !== "undefined";
}

export function notificationPermission() {
  return notificationsSupported() ? Notification.permission : "unsupported";
}

export async function askNotificationPermission() {
  if (!notificationsSupported()) return "unsupported";
  return Notification.requestPermission();
}

/** Shows a notification when the page is hidden and she allowed them; a click brings
 * the tab back and calls `onClick`. */
export function notifyIfHidden({ title, body, tag, onClick }) {
  if (document.visibilityState !== "hidden" || notificationPermission() !== "granted") return null;
  const notification = new Notification(title, { body, tag });
  notification.onclick = () => {
    window.focus();
    onClick?.();
    notification.close();
  };
  return notification;
}

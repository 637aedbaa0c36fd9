// Screens are addressed by the location's hash (#/rooms/12), so that the back button,
// reloads and links work without a server route per screen.

export function parseRoute(hash = location.hash) {
  const path = hash.replace(/^#\/?/, "");
  const [name = "", ...rest] = path.split("/").filter(Boolean);
  const params = rest.map((part) => decodeURIComponent(part));
  return { name, params, path };
}

export function navigate(path) {
  const target = `#/${path.replace(/^[#/]+/, "")}`;
  if (location.hash === target) return;
  location.hash = target;
}

export function onRoute(listener) {
  addEventListener("hashchange", () => listener(parseRoute()));
}

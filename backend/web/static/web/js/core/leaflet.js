// Leaflet is loaded only when a map is shown: its script and stylesheet are files of this
// server (<body data-leaflet-js / data-leaflet-css>), so the Content-Security-Policy
// needs nothing more. Tiles come from <body data-tiles> (empty: a map without tiles).

let loading = null;

export function loadLeaflet() {
  if (window.L) return Promise.resolve(window.L);
  if (loading) return loading;
  const { leafletJs, leafletCss } = document.body.dataset;
  loading = new Promise((resolve, reject) => {
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = leafletCss;
    document.head.append(style);
    const script = document.createElement("script");
    script.src = leafletJs;
    script.onload = () => resolve(window.L);
    script.onerror = () => {
      loading = null;
      reject(new Error("leaflet"));
    };
    document.head.append(script);
  });
  return loading;
}

/** A Leaflet map in `element`, with the configured tiles if any. */
export function createMap(L, element, { center, zoom = 16 } = {}) {
  const map = L.map(element, { center, zoom, attributionControl: true });
  const { tiles, tilesAttribution } = document.body.dataset;
  if (tiles) L.tileLayer(tiles, { maxZoom: 19, attribution: tilesAttribution || "" }).addTo(map);
  return map;
}

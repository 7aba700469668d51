package views

// htmxConfig is rendered into <meta name="htmx-config"> by every page.
//   - responseHandling is explicit so 4xx/5xx fragments (error rows, the flash message) are swapped on every htmx
//     version: htmx 2 drops them by default, htmx 4 swaps nearly everything; 204 swaps nothing.
//   - allowEval false: the CSP forbids eval, and no attribute here needs it.
//   - includeIndicatorStyles false: htmx would inject an inline <style> the CSP blocks; app.css styles indicators.
//   - historyCacheSize 0: Back re-fetches the page instead of restoring a snapshot that may show stale device state.
const htmxConfig = `{"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"[45]..","swap":true,"error":true}],"allowEval":false,"includeIndicatorStyles":false,"historyCacheSize":0}`

/**
 * GET /auth/verify?token=…: the page a sign-in link opens. It does NOT spend the token:
 * mail scanners and link previewers fetch links, and a GET that signed in would burn the
 * link before the person clicks. The page shows a "Sign in" button that POSTs the token
 * to /api/v1/auth/verify and then goes to `/`.
 *
 * Self-contained (no external resources, air-gapped), and locked down by a CSP that allows
 * exactly this inline script (by hash) and requests to this origin. The script reads the
 * token from the address bar itself, so the server never echoes it into the HTML.
 */
const SCRIPT = `
const button = document.getElementById("sign-in");
const status = document.getElementById("status");
const token = new URLSearchParams(location.search).get("token");
if (!token) {
  button.disabled = true;
  status.textContent = "This link has no sign-in token. Ask for a new link.";
}
button.addEventListener("click", async () => {
  button.disabled = true;
  status.textContent = "Signing in…";
  try {
    const response = await fetch("/api/v1/auth/verify", {
      method: "POST",
      headers: { "content-type": "application/json", "x-requested-with": "XMLHttpRequest" },
      body: JSON.stringify({ token }),
      credentials: "same-origin",
    });
    if (response.ok) {
      history.replaceState(null, "", "/auth/verify");
      location.replace("/");
      return;
    }
    const body = await response.json().catch(() => ({}));
    status.textContent = body.error || "Sign-in failed (" + response.status + ").";
  } catch {
    status.textContent = "The server could not be reached. Try again.";
  }
  button.disabled = false;
});
`;

const SCRIPT_HASH = Bun.SHA256.hash(SCRIPT, "base64");

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="color-scheme" content="light dark">
<title>Sign in · IPCraft</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f4f5f7; color: #1d2330; }
  main { background: #fff; padding: 2rem 2.5rem; margin: 1rem; border-radius: 10px; box-shadow: 0 2px 12px rgba(0,0,0,.08); max-width: 24rem; text-align: center; }
  h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
  button { font: inherit; padding: .6rem 1.6rem; border: 0; border-radius: 6px; background: #2456d3; color: #fff; cursor: pointer; }
  button:disabled { opacity: .5; cursor: default; }
  #status { min-height: 1.5em; margin: 1rem 0 0; color: #5a6275; }
  button:focus-visible { outline: 2px solid #2f6df6; outline-offset: 3px; }
  @media (prefers-color-scheme: dark) {
    body { background: #0f1115; color: #e5e8ec; }
    main { background: #171a20; box-shadow: none; border: 1px solid #2d333c; }
    button { background: #5b8cff; color: #0b0d10; }
    button:focus-visible { outline-color: #8fb0ff; }
    #status { color: #9ba4af; }
  }
</style>
</head>
<body>
<main>
  <h1>Sign in to IPCraft</h1>
  <p>Press the button to finish signing in. The link works once.</p>
  <button id="sign-in" type="button">Sign in</button>
  <p id="status" role="status"></p>
</main>
<script>${SCRIPT}</script>
</body>
</html>`;

/** The page as a Response with its security headers. */
export function verifyPage(): Response {
  return new Response(HTML, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy":
        `default-src 'none'; script-src 'sha256-${SCRIPT_HASH}'; style-src 'unsafe-inline'; ` +
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    },
  });
}

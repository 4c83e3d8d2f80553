// /api/docs: Swagger UI (vendored, static/vendor/swagger-ui/) over /api/openapi.json.
// A separate file because the page's CSP allows no inline script.
window.ui = window.SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,          // never call swagger.io: the docs work offline
});

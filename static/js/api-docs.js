// Starts Swagger UI on the API documentation page (kept out of the page: no inline script under the CSP).
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: element.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Air-gapped: never ask swagger.io to validate the schema.
    validatorUrl: null,
    // Same-origin cookie for the schema; the calls themselves need "Authorize" with a token.
    withCredentials: true,
    persistAuthorization: false,
  });
});

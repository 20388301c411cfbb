// Starts Swagger UI on the page's OpenAPI document; a file of its own, since the pages allow no inline script.
window.addEventListener("load", function () {
  var element = document.getElementById("swagger-ui");
  // validatorUrl null: no badge fetched from validator.swagger.io (the page may load nothing from elsewhere).
  window.ui = SwaggerUIBundle({
    url: element.dataset.openapiUrl, dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null,
  });
});

"""What every Atrium app needs, with no models and no import of any app.

errors (ServiceError), http (RequestMeta, AuthenticatedHttpRequest), decorators, forms,
validators, languages, links (absolute URLs), time, fetch (safe outbound HTTP) and events
(the one way a lower app lets higher apps react). README "Project layout" has the map.
"""

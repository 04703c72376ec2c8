___INFO___

{
  "type": "TAG",
  "id": "cvt_temp_public_id",
  "version": 1,
  "securityGroups": [],
  "displayName": "QueryTrail for Algolia Insights",
  "categories": [
    "ANALYTICS",
    "CONVERSIONS"
  ],
  "brand": {
    "id": "brand_dummy",
    "displayName": "QueryTrail"
  },
  "description": "Loads QueryTrail, which turns the page's data-insights-* attributes (and, optionally, the data layer's GA4 add_to_cart and purchase entries) into Algolia Insights events. Follows Consent Mode's analytics_storage.",
  "containerContexts": [
    "WEB"
  ]
}


___TEMPLATE_PARAMETERS___

[
  {
    "type": "TEXT",
    "name": "scriptUrl",
    "displayName": "Script URL",
    "simpleValueType": true,
    "defaultValue": "https://cdn.jsdelivr.net/npm/querytrail@0.1.0/dist/querytrail.min.js",
    "help": "Where the browser loads dist/querytrail.min.js from. If you change it, also change the allowed URL pattern of this template's \"Injects scripts\" permission (Templates → this template → Permissions), or the tag fails.",
    "valueValidators": [
      {
        "type": "NON_EMPTY"
      }
    ],
    "alwaysInSummary": true
  },
  {
    "type": "TEXT",
    "name": "appId",
    "displayName": "Algolia application ID",
    "simpleValueType": true,
    "valueValidators": [
      {
        "type": "NON_EMPTY"
      }
    ],
    "alwaysInSummary": true
  },
  {
    "type": "TEXT",
    "name": "apiKey",
    "displayName": "Search-only API key",
    "simpleValueType": true,
    "help": "A search-only key: it is visible to every visitor, as on any page that searches Algolia from the browser.",
    "valueValidators": [
      {
        "type": "NON_EMPTY"
      }
    ]
  },
  {
    "type": "SELECT",
    "name": "region",
    "displayName": "Insights region",
    "macrosInSelect": false,
    "selectItems": [
      {
        "value": "",
        "displayValue": "Default (insights.algolia.io)"
      },
      {
        "value": "us",
        "displayValue": "United States (insights.us.algolia.io)"
      },
      {
        "value": "de",
        "displayValue": "Germany (insights.de.algolia.io)"
      }
    ],
    "simpleValueType": true,
    "defaultValue": ""
  },
  {
    "type": "TEXT",
    "name": "endpoint",
    "displayName": "Endpoint (optional)",
    "simpleValueType": true,
    "valueHint": "https://insights.example.com",
    "help": "An origin that receives POST /1/events instead of Algolia, such as a first-party proxy. It wins over the region."
  },
  {
    "type": "TEXT",
    "name": "index",
    "displayName": "Index (optional)",
    "simpleValueType": true,
    "help": "The index of objects outside any data-insights-index container, and of the data layer's ecommerce items."
  },
  {
    "type": "TEXT",
    "name": "userToken",
    "displayName": "Anonymous user token (optional)",
    "simpleValueType": true,
    "help": "A variable holding the visitor's anonymous token, if your site already has one. Without it QueryTrail makes one."
  },
  {
    "type": "TEXT",
    "name": "authenticatedUserToken",
    "displayName": "Signed-in user token (optional)",
    "simpleValueType": true,
    "help": "A variable holding the signed-in user's pseudonymous ID (never an email address). Empty for visitors who are not signed in."
  },
  {
    "type": "CHECKBOX",
    "name": "useCookie",
    "checkboxText": "Keep the anonymous token in the _ALGOLIA cookie",
    "simpleValueType": true,
    "defaultValue": false,
    "help": "Shares the token with search-insights and across pages. Written only while analytics_storage is granted."
  },
  {
    "type": "CHECKBOX",
    "name": "views",
    "checkboxText": "Send view events",
    "simpleValueType": true,
    "defaultValue": true
  },
  {
    "type": "CHECKBOX",
    "name": "debug",
    "checkboxText": "Debug: log every event and every rejected one in the console",
    "simpleValueType": true,
    "defaultValue": false
  },
  {
    "type": "TEXT",
    "name": "dataLayer",
    "displayName": "Data layer name (optional)",
    "simpleValueType": true,
    "valueHint": "dataLayer",
    "help": "The global array whose GA4 add_to_cart and purchase entries become Insights conversions. Empty: QueryTrail does not read the data layer. Needs the index above."
  },
  {
    "type": "GROUP",
    "name": "eventNames",
    "displayName": "Event names",
    "groupStyle": "ZIPPY_CLOSED",
    "subParams": [
      {
        "type": "TEXT",
        "name": "clickEventName",
        "displayName": "Click",
        "simpleValueType": true,
        "valueHint": "Hit Clicked"
      },
      {
        "type": "TEXT",
        "name": "conversionEventName",
        "displayName": "Conversion",
        "simpleValueType": true,
        "valueHint": "Converted"
      },
      {
        "type": "TEXT",
        "name": "addToCartEventName",
        "displayName": "Add to cart",
        "simpleValueType": true,
        "valueHint": "Added To Cart"
      },
      {
        "type": "TEXT",
        "name": "purchaseEventName",
        "displayName": "Purchase",
        "simpleValueType": true,
        "valueHint": "Purchased"
      },
      {
        "type": "TEXT",
        "name": "viewEventName",
        "displayName": "View",
        "simpleValueType": true,
        "valueHint": "Hits Viewed"
      },
      {
        "type": "TEXT",
        "name": "filterEventName",
        "displayName": "Filter click",
        "simpleValueType": true,
        "valueHint": "Filter Clicked"
      }
    ]
  }
]


___SANDBOXED_JS_FOR_WEB_TEMPLATE___

// QueryTrail reads its options from window.querytrailConfig when it starts, and takes later
// calls through window.querytrail(method, ...args), queued until it has loaded.
const addConsentListener = require('addConsentListener');
const callInWindow = require('callInWindow');
const createArgumentsQueue = require('createArgumentsQueue');
const injectScript = require('injectScript');
const isConsentGranted = require('isConsentGranted');
const makeString = require('makeString');
const setInWindow = require('setInWindow');

// Text options are passed only when filled in: an empty field means QueryTrail's default.
const TEXT_OPTIONS = [
  'appId', 'apiKey', 'region', 'endpoint', 'index', 'userToken', 'authenticatedUserToken', 'dataLayer',
  'clickEventName', 'conversionEventName', 'addToCartEventName', 'purchaseEventName', 'viewEventName', 'filterEventName'
];

const consentValue = (granted) => (granted ? 'granted' : 'denied');

const config = {
  useCookie: data.useCookie === true,
  views: data.views !== false,
  debug: data.debug === true,
  // A site without Consent Mode has no analytics_storage state, which GTM counts as granted.
  consent: consentValue(isConsentGranted('analytics_storage'))
};
TEXT_OPTIONS.forEach((name) => {
  const value = data[name] === undefined || data[name] === null ? '' : makeString(data[name]);
  if (value !== '') config[name] = value;
});
setInWindow('querytrailConfig', config, true);

// The same stub as the README's one-liner: calls made before QueryTrail has loaded are queued
// in querytrail.q and replayed in order at its start. An existing querytrail is kept.
createArgumentsQueue('querytrail', 'querytrail.q');

// Each change of analytics_storage, before or after the script has loaded, goes to whatever
// window.querytrail is at that moment: the stub's queue, or QueryTrail itself.
addConsentListener('analytics_storage', (consentType, granted) => {
  callInWindow('querytrail', 'setConsent', consentValue(granted));
});

// The URL doubles as the cache token, so a tag that fires twice injects the script once.
injectScript(data.scriptUrl, data.gtmOnSuccess, data.gtmOnFailure, data.scriptUrl);


___WEB_PERMISSIONS___

[
  {
    "instance": {
      "key": {
        "publicId": "inject_script",
        "versionId": "1"
      },
      "param": [
        {
          "key": "urls",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 1,
                "string": "https://cdn.jsdelivr.net/npm/querytrail@0.1.0/dist/querytrail.min.js"
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "access_globals",
        "versionId": "1"
      },
      "param": [
        {
          "key": "keys",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 3,
                "mapKey": [
                  { "type": 1, "string": "key" },
                  { "type": 1, "string": "read" },
                  { "type": 1, "string": "write" },
                  { "type": 1, "string": "execute" }
                ],
                "mapValue": [
                  { "type": 1, "string": "querytrailConfig" },
                  { "type": 8, "boolean": false },
                  { "type": 8, "boolean": true },
                  { "type": 8, "boolean": false }
                ]
              },
              {
                "type": 3,
                "mapKey": [
                  { "type": 1, "string": "key" },
                  { "type": 1, "string": "read" },
                  { "type": 1, "string": "write" },
                  { "type": 1, "string": "execute" }
                ],
                "mapValue": [
                  { "type": 1, "string": "querytrail" },
                  { "type": 8, "boolean": true },
                  { "type": 8, "boolean": true },
                  { "type": 8, "boolean": true }
                ]
              },
              {
                "type": 3,
                "mapKey": [
                  { "type": 1, "string": "key" },
                  { "type": 1, "string": "read" },
                  { "type": 1, "string": "write" },
                  { "type": 1, "string": "execute" }
                ],
                "mapValue": [
                  { "type": 1, "string": "querytrail.q" },
                  { "type": 8, "boolean": true },
                  { "type": 8, "boolean": true },
                  { "type": 8, "boolean": false }
                ]
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "access_consent",
        "versionId": "1"
      },
      "param": [
        {
          "key": "consentTypes",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 3,
                "mapKey": [
                  { "type": 1, "string": "consentType" },
                  { "type": 1, "string": "read" },
                  { "type": 1, "string": "write" }
                ],
                "mapValue": [
                  { "type": 1, "string": "analytics_storage" },
                  { "type": 8, "boolean": true },
                  { "type": 8, "boolean": false }
                ]
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  }
]


___TESTS___

scenarios:
- name: Injects the script from the URL set and reports success once it has loaded
  code: |-
    let injectedUrl;
    mock('injectScript', (url, onSuccess, onFailure) => {
      injectedUrl = url;
      onSuccess();
    });
    runCode(mockData);
    assertThat(injectedUrl).isEqualTo(mockData.scriptUrl);
    assertApi('gtmOnSuccess').wasCalled();
    assertApi('gtmOnFailure').wasNotCalled();
- name: Reports failure when the script cannot be loaded
  code: |-
    mock('injectScript', (url, onSuccess, onFailure) => {
      onFailure();
    });
    runCode(mockData);
    assertApi('gtmOnFailure').wasCalled();
    assertApi('gtmOnSuccess').wasNotCalled();
- name: Passes the fields filled in as options, and leaves the empty ones to QueryTrail's defaults
  code: |-
    let config;
    mock('setInWindow', (key, value) => {
      if (key === 'querytrailConfig') config = value;
    });
    mockData.userToken = 'visitor-42';
    mockData.purchaseEventName = 'Order Placed';
    runCode(mockData);
    assertThat(config.appId).isEqualTo('LATENCY');
    assertThat(config.apiKey).isEqualTo('search-only-key');
    assertThat(config.region).isEqualTo('de');
    assertThat(config.userToken).isEqualTo('visitor-42');
    assertThat(config.purchaseEventName).isEqualTo('Order Placed');
    assertThat(config.endpoint).isUndefined();
    assertThat(config.clickEventName).isUndefined();
    assertThat(config.views).isTrue();
    assertThat(config.useCookie).isFalse();
- name: Starts with storage denied while analytics_storage is denied
  code: |-
    let config;
    mock('isConsentGranted', (consentType) => consentType !== 'analytics_storage');
    mock('setInWindow', (key, value) => {
      if (key === 'querytrailConfig') config = value;
    });
    runCode(mockData);
    assertThat(config.consent).isEqualTo('denied');
- name: Starts with storage granted while analytics_storage is granted
  code: |-
    let config;
    mock('isConsentGranted', (consentType) => consentType === 'analytics_storage');
    mock('setInWindow', (key, value) => {
      if (key === 'querytrailConfig') config = value;
    });
    runCode(mockData);
    assertThat(config.consent).isEqualTo('granted');
- name: Defines the early-call stub before injecting the script
  code: |-
    runCode(mockData);
    assertApi('createArgumentsQueue').wasCalledWith('querytrail', 'querytrail.q');
    assertApi('injectScript').wasCalled();
- name: Passes each later change of analytics_storage to setConsent
  code: |-
    let listener;
    mock('addConsentListener', (consentType, callback) => {
      if (consentType === 'analytics_storage') listener = callback;
    });
    runCode(mockData);
    listener('analytics_storage', true);
    assertApi('callInWindow').wasCalledWith('querytrail', 'setConsent', 'granted');
    listener('analytics_storage', false);
    assertApi('callInWindow').wasCalledWith('querytrail', 'setConsent', 'denied');
setup: |-
  const mockData = {
    scriptUrl: 'https://cdn.jsdelivr.net/npm/querytrail@0.1.0/dist/querytrail.min.js',
    appId: 'LATENCY',
    apiKey: 'search-only-key',
    region: 'de',
    endpoint: '',
    useCookie: false,
    views: true,
    debug: false
  };


___NOTES___

Written by hand from Google's documentation of custom templates; see gtm/README.md for how to
import it, the permission to adjust, and the fields whose exact form is uncertain.

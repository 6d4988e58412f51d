"""Asynchronous error codes carried by `rejected` / `undeliverable` status webhooks
(https://developer.vonage.com/en/api-errors/messages)."""

from __future__ import annotations

ASYNC_ERRORS: dict[int, str] = {
    1000: "Throttled",
    1010: "Missing params",
    1020: "Invalid params",
    1021: "Invalid tag",
    1022: "Invalid template parameters",
    1030: "Internal error",
    1040: "Invalid message",
    1050: "Number barred",
    1060: "Partner account barred",
    1070: "Partner quota exceeded",
    1080: "Account not enabled for REST",
    1090: "Message too long",
    1100: "Communication failed",
    1120: "Illegal sender address - rejected",
    1130: "Invalid TTL",
    1140: "Facility not allowed",
    1150: "Invalid message class",
    1160: "Non white-listed destination",
    1170: "Invalid or missing msisdn",
    1180: "Absent subscriber temporary",
    1190: "Absent subscriber permanent",
    1200: "Portability error",
    1210: "Anti-spam rejection",
    1220: "Handset busy",
    1230: "Network error",
    1240: "Illegal number",
    1241: "Too many send requests",
    1250: "Unroutable",
    1251: "Unable to route to destination",
    1260: "Destination unreachable",
    1270: "Subscriber age restriction",
    1280: "Number blocked by carrier",
    1282: "Message blocked by provider",
    1290: "Pre-paid insufficient funds",
    1300: "Not part of the provider network",
    1310: "Not suitable device",
    1320: "Message already sent",
    1330: "Unknown",
    1331: "Provider error",
    1340: "Outside of the allowed window",
    1350: "Phone matching fee not paid",
    1360: "TTL activated / expired",
    1370: "Expired access token",
    1380: "Invalid resource",
    1381: "Resource too large",
    1382: "Resource type invalid",
    1400: "Unsupported channel",
    1410: "Invalid channel parameters",
    1420: "Invalid sender",
    1430: "Invalid recipient",
    1440: "Invalid message type",
    1450: "Invalid client reference",
    1451: "Invalid context",
    1460: "Daily message limit exceeded",
    1461: "Provider auto-limiting",
    1470: "Fraud Defender traffic rule",
    1472: "Fraud Defender SMS burst",
    1473: "AIT protection",
    1480: "Entity filter",
    1481: "Header filter",
    1482: "Content filter",
    1483: "Consent filter",
    1484: "Regulation error",
}

# What a status means when no code is picked: a platform refusal vs. a handset never reached.
DEFAULT_ERROR = {"rejected": 1250, "undeliverable": 1260}

# What v1 status webhooks carry in `error.detail` for each code: the code's name and what it
# means, as in Vonage's example ("Throttled - You have exceeded the submission capacity ...")
# and its list of Messages errors (https://developer.vonage.com/en/api-errors/messages).
# v0.1 statuses carry the short name (ASYNC_ERRORS) as `error.reason`.
ERROR_DETAILS: dict[int, str] = {
    1000: (
        "Throttled - You have exceeded the submission capacity allowed on this account. Please "
        "wait and retry"
    ),
    1010: "Missing params - Your request is incomplete and missing some mandatory parameters.",
    1020: "Invalid params - The value of one or more parameters is invalid.",
    1021: "Invalid tag - The tag value is invalid.",
    1022: "Invalid template - Invalid template or template parameters",
    1030: "Internal error - There was an error processing your request in the Platform.",
    1040: (
        "Invalid message - The Platform was unable to process your request. For example, due to "
        "an unrecognised prefix for the phone number."
    ),
    1050: (
        "Number barred - The number you are trying to submit to is blacklisted and may not "
        "receive messages."
    ),
    1060: (
        "Partner account barred - The `api_key` you supplied is for an account that has been "
        "barred from submitting messages."
    ),
    1070: (
        "Partner quota exceeded - Your pre-paid account does not have sufficient credit to "
        "process this message."
    ),
    1080: (
        "Account not enabled for REST - This account is not provisioned for REST submission, you "
        "should use SMPP on the SMS API."
    ),
    1090: (
        "Message too long - The length of `udh` and `body` was greater than 140 octets for a "
        "binary type SMS request."
    ),
    1100: (
        "Communication Failed - Message was not submitted because there was a communication "
        "failure."
    ),
    1120: (
        "Illegal Sender Address - rejected - Due to local regulations, the `SenderID` you set in "
        "from in the request was not accepted. Please check the Global messaging section."
    ),
    1130: "Invalid TTL - The value of `ttl` in your request was invalid.",
    1140: (
        "Facility not allowed - Your request makes use of a facility that is not enabled on your "
        "account."
    ),
    1150: (
        "Invalid Message class - The value of `message-class` in your request was out of range. "
        "See https://en.wikipedia.org/wiki/Data_Coding_Scheme."
    ),
    1160: (
        "Non White-listed Destination - The phone number you set in to is not in your "
        "pre-approved destination list. To send messages to this phone number, add it using "
        "Dashboard."
    ),
    1170: (
        "Invalid or Missing Msisdn Param - The phone number you supplied in the to parameter of "
        "your request was either missing or invalid."
    ),
    1180: (
        "Absent Subscriber Temporary - This message was not delivered because to was temporarily "
        "unavailable. For example, the handset used for to was out of coverage or switched off. "
        "This is a temporary failure, retry later for a positive result."
    ),
    1190: (
        "Absent Subscriber Permanent - `to` is no longer active, You should remove this phone "
        "number from your database."
    ),
    1200: (
        "Portability Error - There is an issue after the user has changed carrier for to. If the "
        "user wants to receive messages from you, they need to contact their carrier directly."
    ),
    1210: (
        "Anti-Spam Rejection - Carriers often apply restrictions that block messages following "
        "different criteria. For example on SenderID or message content."
    ),
    1220: (
        "Handset Busy - The handset associated with to was not available when this message was "
        "sent. If status is rejected, this is a temporary failure; retry later for a positive "
        "result. If status is submitted, this message has is in the retry scheme and will be "
        "resent until it expires in 24-48 hours."
    ),
    1230: (
        "Network Error - A network failure while sending your message. This is a temporary "
        "failure, retry later for a positive result."
    ),
    1240: (
        "Illegal Number - You tried to send a message to a blacklisted phone number. That is, the"
        " user has already sent a STOP opt-out message and no longer wishes to receive messages "
        "from you."
    ),
    1241: "Too many send requests - Too many send requests to phone numbers.",
    1250: (
        "Unroutable - The chosen route to send your message is not available. This is because the"
        " phone number is either currently on an unsupported network or on a pre-paid or reseller"
        " account that could not receive a message."
    ),
    1251: (
        "Unable to route traffic to a destination - This may be due to the routing rules applied "
        "for your destination network."
    ),
    1260: (
        "Destination unreachable - The message could not be delivered to the phone number. If "
        "using Viber Business Messages your account might not be enabled for this country."
    ),
    1270: (
        "Subscriber Age Restriction - The carrier blocked this message because the content is not"
        " suitable for to based on age restrictions."
    ),
    1280: (
        "Number Blocked by Carrier - The carrier blocked this message. This could be due to "
        "several reasons. For example, to's plan does not include SMS or the account is "
        "suspended."
    ),
    1282: (
        "Message blocked by provider - The messaging provider has chosen to block this message. "
        "This may be due to content or restrictions imposed by the provider."
    ),
    1290: (
        "Pre-Paid - Insufficient funds - to's pre-paid account does not have enough credit to "
        "receive the message."
    ),
    1300: (
        "Not part of the provider network - The number or ID is not a user in the provider network."
    ),
    1310: "Not suitable device - The user's device can't receive the message.",
    1320: "Message already sent - The message was already sent.",
    1330: (
        "Unknown - An unknown error was received from the carrier who tried to send this message."
        " Depending on the carrier, that to is unknown. When you see this error, and status is "
        "rejected, always check if to in your request was valid."
    ),
    1331: (
        "Provider error - The provider is not responding or unable to process the request. Please"
        " try sending your message in a few minutes time."
    ),
    1340: (
        "Outside of the allowed window - This message is sent outside of allowed response window."
    ),
    1350: (
        "Phone matching fee not paid - Requires phone matching access fee to be paid by the "
        "Facebook Page."
    ),
    1360: "TTL was activated, or message expired before delivered.",
    1370: "Expired access Token - Please reauthenticate your Facebook Page with Vonage.",
    1380: (
        "Invalid resource - Please check that the URL your provided to your resource is "
        "accessible and valid."
    ),
    1381: "Resource size is too large - Please try sending a smaller media file.",
    1382: "Resource type is invalid - Please check that the file you are trying to send is valid.",
    1400: "Unsupported channel - The channel specified in the request is not supported.",
    1410: "Invalid channel parameters - The value of one or more parameters is invalid.",
    1420: "Invalid sender - The `from` parameter is invalid for the given channel.",
    1430: "Invalid recipient - The `to` parameter is invalid for the given channel.",
    1440: (
        "Invalid message type - The message type specified in the request is not supported for "
        "the given channel."
    ),
    1450: (
        "Invalid client reference - The client reference can be a string of up to 100 characters."
    ),
    1451: (
        "Invalid context - the reference to the original message could not be found because it is"
        " invalid or no longer available."
    ),
    1460: "Daily message limit exceeded - Check compliance with regulations such as 10DLC.",
    1461: (
        "Auto-limiting of messages by Provider - This message was not delivered by Provider to "
        "avoid excessive messages to the end user. For details please see this knowledgebase "
        "article (https://api.support.vonage.com/hc/en-us/articles/17270698783516-WhatsApp-Per-Us"
        "er-Marketing-Template-Messaging-Limits)."
    ),
    1470: "Fraud Defender Traffic Rule - Rejected due to prefix block list.",
    1472: "Fraud Defender SMS Burst Protection - Traffic limit has been reached",
    1473: "AIT Protection - The message has been rejected by Fraud Defender AIT Protection",
    1480: (
        "Entity Filter - The message failed due to `entity_id` being incorrect or not provided. "
        "More information on country specific regulations (https://api.support.vonage.com/hc/en-u"
        "s/sections/200622473-Country-Specific-Features-and-Restrictions)."
    ),
    1481: (
        "Header Filter - The message failed because the header ID (`from` phone number) was "
        "incorrect or missing. More information on country specific regulations (https://api.supp"
        "ort.vonage.com/hc/en-us/sections/200622473-Country-Specific-Features-and-Restrictions)."
    ),
    1482: (
        "Content Filter - The message failed due to `content_id` being incorrect or not provided."
        " More information on country specific regulations (https://api.support.vonage.com/hc/en-"
        "us/sections/200622473-Country-Specific-Features-and-Restrictions)."
    ),
    1483: (
        "Consent Filter - The message failed due to consent not being authorized. More "
        "information on country specific regulations (https://api.support.vonage.com/hc/en-us/sec"
        "tions/200622473-Country-Specific-Features-and-Restrictions)."
    ),
    1484: "Regulation Error - Unexpected regulation error - contact support.",
}

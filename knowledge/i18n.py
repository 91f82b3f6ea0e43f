"""The few framing words qabot says itself, in the languages it reads questions in.

Facts are always quoted in the article's own words; only these phrases are translated.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "dont_know": {
        "en": "I don't know: the articles I have don't say.",
        "ru": "Не знаю: в моих статьях об этом не сказано.",
        "fr": "Je ne sais pas : mes articles ne le disent pas.",
        "ar": "لا أعرف: المقالات المتوفرة لدي لا تذكر ذلك.",
    },
    "empty": {
        "en": "Ask me a question.",
        "ru": "Задайте мне вопрос.",
        "fr": "Posez-moi une question.",
        "ar": "اطرح علي سؤالا.",
    },
    "you_could_ask": {
        "en": "You could ask:",
        "ru": "Можно спросить:",
        "fr": "Vous pouvez demander :",
        "ar": "يمكنك أن تسأل:",
    },
    "did_you_mean": {
        "en": "Did you mean:",
        "ru": "Возможно, вы имели в виду:",
        "fr": "Vouliez-vous dire :",
        "ar": "هل تقصد:",
    },
    "not_sure": {
        "en": "I'm not sure this is what you asked:",
        "ru": "Не уверен, что это ответ на ваш вопрос:",
        "fr": "Je ne suis pas sûr que ce soit la réponse :",
        "ar": "لست متأكدا من أن هذا ما سألت عنه:",
    },
    "in_english": {
        "en": "",
        "ru": "Из статьи (на английском):",
        "fr": "D'après l'article (en anglais) :",
        "ar": "من المقال (بالإنجليزية):",
    },
    "no_visit": {
        "en": "I know of no such visit: the visits tables I have list none.",
        "ru": "Я не знаю о таком визите: в моих таблицах визитов его нет.",
        "fr": "Je ne connais pas cette visite : mes tableaux de visites n'en mentionnent aucune.",
        "ar": "لا أعرف زيارة كهذه: جداول الزيارات المتوفرة لدي لا تذكرها.",
    },
    "source": {"en": "Source", "ru": "Источник", "fr": "Source", "ar": "المصدر"},
}


def phrase(key: str, lang: str = "en") -> str:
    """The phrase in `lang`, falling back to English."""
    table = PHRASES[key]
    return table.get(lang, table["en"])

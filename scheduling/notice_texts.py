"""The wording Atrium ships for appointment notices, per event and language.

Content, not gettext strings: the firm edits them on the staff pages (a NotificationTemplate
row overrides one). SMS texts in English and Spanish use only GSM-7 characters and fit in
one segment (Spanish avoids accented vowels, which GSM-7 lacks); Polish and Russian need
UCS-2.
"""

from __future__ import annotations

from notifications.registry import Text

EMAIL: dict[str, dict[str, Text]] = {
    "booked": {
        "en": Text(
            "Your appointment on {when}",
            "Hello {name},\n"
            "\n"
            "your {service} with {staff} is booked for {when}.\n"
            "\n"
            "Booking code: {code}\n"
            "Where: {place}\n"
            "Terms: {terms}\n"
            "\n"
            "The calendar file is attached.\n"
            "\n"
            "To change or cancel, use this link: {link}\n"
            "\n"
            "{firm}",
        ),
        "pl": Text(
            "Twoja wizyta: {when}",
            "Dzień dobry {name},\n"
            "\n"
            "potwierdzamy rezerwację.\n"
            "\n"
            "Usługa: {service}\n"
            "Termin: {when}\n"
            "Prowadzący: {staff}\n"
            "Kod rezerwacji: {code}\n"
            "Miejsce: {place}\n"
            "Warunki: {terms}\n"
            "\n"
            "Plik kalendarza jest w załączniku.\n"
            "\n"
            "Aby zmienić termin lub odwołać wizytę, użyj linku: {link}\n"
            "\n"
            "{firm}",
        ),
        "es": Text(
            "Su cita: {when}",
            "Hola, {name}:\n"
            "\n"
            "su {service} con {staff} está reservada para el {when}.\n"
            "\n"
            "Código de reserva: {code}\n"
            "Dónde: {place}\n"
            "Condiciones: {terms}\n"
            "\n"
            "Adjuntamos el archivo de calendario.\n"
            "\n"
            "Para cambiarla o cancelarla, use este enlace: {link}\n"
            "\n"
            "{firm}",
        ),
        "ru": Text(
            "Ваша встреча: {when}",
            "Здравствуйте, {name}!\n"
            "\n"
            "ваша запись подтверждена.\n"
            "\n"
            "Услуга: {service}\n"
            "Время: {when}\n"
            "Специалист: {staff}\n"
            "Код записи: {code}\n"
            "Где: {place}\n"
            "Условия: {terms}\n"
            "\n"
            "Файл календаря во вложении.\n"
            "\n"
            "Чтобы перенести или отменить встречу, перейдите по ссылке: {link}\n"
            "\n"
            "{firm}",
        ),
    },
    "rescheduled": {
        "en": Text(
            "New time: {when}",
            "Hello {name},\n"
            "\n"
            "your {service} has moved. The new time is {when}.\n"
            "\n"
            "Where: {place}\n"
            "Terms: {terms}\n"
            "\n"
            "The updated calendar file is attached.\n"
            "\n"
            "To change or cancel, use this link: {link}\n"
            "\n"
            "{firm}",
        ),
        "pl": Text(
            "Nowy termin: {when}",
            "Dzień dobry {name},\n"
            "\n"
            "termin wizyty ({service}) został zmieniony. Nowy termin: {when}.\n"
            "\n"
            "Miejsce: {place}\n"
            "Warunki: {terms}\n"
            "\n"
            "Zaktualizowany plik kalendarza jest w załączniku.\n"
            "\n"
            "Aby zmienić termin lub odwołać wizytę, użyj linku: {link}\n"
            "\n"
            "{firm}",
        ),
        "es": Text(
            "Nueva hora: {when}",
            "Hola, {name}:\n"
            "\n"
            "su {service} ha cambiado. La nueva hora es el {when}.\n"
            "\n"
            "Dónde: {place}\n"
            "Condiciones: {terms}\n"
            "\n"
            "Adjuntamos el archivo de calendario actualizado.\n"
            "\n"
            "Para cambiarla o cancelarla, use este enlace: {link}\n"
            "\n"
            "{firm}",
        ),
        "ru": Text(
            "Новое время: {when}",
            "Здравствуйте, {name}!\n"
            "\n"
            "встреча ({service}) перенесена. Новое время: {when}.\n"
            "\n"
            "Где: {place}\n"
            "Условия: {terms}\n"
            "\n"
            "Обновлённый файл календаря во вложении.\n"
            "\n"
            "Чтобы перенести или отменить встречу, перейдите по ссылке: {link}\n"
            "\n"
            "{firm}",
        ),
    },
    "cancelled": {
        "en": Text(
            "Appointment cancelled",
            "Hello {name},\n"
            "\n"
            "your {service} on {when} is cancelled.\n"
            "To book a new time, use this link: {link}\n"
            "\n"
            "{firm}",
        ),
        "pl": Text(
            "Wizyta odwołana",
            "Dzień dobry {name},\n"
            "\n"
            "wizyta ({service}) w terminie {when} została odwołana.\n"
            "Nowy termin możesz wybrać tutaj: {link}\n"
            "\n"
            "{firm}",
        ),
        "es": Text(
            "Cita cancelada",
            "Hola, {name}:\n"
            "\n"
            "su {service} del {when} está cancelada.\n"
            "Para reservar otra hora, use este enlace: {link}\n"
            "\n"
            "{firm}",
        ),
        "ru": Text(
            "Встреча отменена",
            "Здравствуйте, {name}!\n"
            "\n"
            "встреча ({service}) {when} отменена.\n"
            "Выбрать новое время можно здесь: {link}\n"
            "\n"
            "{firm}",
        ),
    },
    "no_show": {
        "en": Text(
            "We missed you today",
            "Hello {name},\n"
            "\n"
            "we missed you at your {service} on {when}.\n"
            "Pick a new time here: {link}\n"
            "\n"
            "{firm}",
        ),
        "pl": Text(
            "Nie udało się spotkać",
            "Dzień dobry {name},\n"
            "\n"
            "czekaliśmy na Ciebie: {service}, {when}.\n"
            "Wybierz nowy termin tutaj: {link}\n"
            "\n"
            "{firm}",
        ),
        "es": Text(
            "Le echamos de menos hoy",
            "Hola, {name}:\n"
            "\n"
            "no pudimos verle en su {service} del {when}.\n"
            "Elija una nueva hora aquí: {link}\n"
            "\n"
            "{firm}",
        ),
        "ru": Text(
            "Мы вас не дождались",
            "Здравствуйте, {name}!\n"
            "\n"
            "мы ждали вас: {service}, {when}.\n"
            "Выберите новое время здесь: {link}\n"
            "\n"
            "{firm}",
        ),
    },
    "reminder": {
        "en": Text(
            "Reminder: {service} on {when}",
            "Hello {name},\n"
            "\n"
            "a reminder of your {service} with {staff} on {when}.\n"
            "\n"
            "Where: {place}\n"
            "Terms: {terms}\n"
            "\n"
            "Need another time? Change or cancel here: {link}\n"
            "\n"
            "{firm}",
        ),
        "pl": Text(
            "Przypomnienie: {service}, {when}",
            "Dzień dobry {name},\n"
            "\n"
            "przypominamy o wizycie ({service}): {when}.\n"
            "Prowadzący: {staff}\n"
            "Miejsce: {place}\n"
            "Warunki: {terms}\n"
            "\n"
            "Potrzebujesz innego terminu? Zmień lub odwołaj tutaj: {link}\n"
            "\n"
            "{firm}",
        ),
        "es": Text(
            "Recordatorio: {service}, {when}",
            "Hola, {name}:\n"
            "\n"
            "le recordamos su {service} con {staff} el {when}.\n"
            "\n"
            "Dónde: {place}\n"
            "Condiciones: {terms}\n"
            "\n"
            "¿Necesita otra hora? Cámbiela o cancélela aquí: {link}\n"
            "\n"
            "{firm}",
        ),
        "ru": Text(
            "Напоминание: {service}, {when}",
            "Здравствуйте, {name}!\n"
            "\n"
            "напоминаем о встрече ({service}): {when}.\n"
            "Специалист: {staff}\n"
            "Где: {place}\n"
            "Условия: {terms}\n"
            "\n"
            "Нужно другое время? Перенесите или отмените здесь: {link}\n"
            "\n"
            "{firm}",
        ),
    },
}

SMS: dict[str, dict[str, str]] = {
    "booked": {
        "en": "{firm}: {service} booked for {when}. Change or cancel: {link}",
        "pl": "{firm}: wizyta {when}. Zmiana lub odwołanie: {link}",
        "es": "{firm}: cita reservada para el {when}. Cambiar o cancelar: {link}",
        "ru": "{firm}: встреча {when}. Изменить: {link}",
    },
    "rescheduled": {
        "en": "{firm}: your {service} moved to {when}. Change or cancel: {link}",
        "pl": "{firm}: nowy termin {when}. Zmiana: {link}",
        "es": "{firm}: su cita se ha movido al {when}. Cambiar o cancelar: {link}",
        "ru": "{firm}: новое время {when}. Изменить: {link}",
    },
    "cancelled": {
        "en": "{firm}: your {service} on {when} is cancelled. Book again: {link}",
        "pl": "{firm}: wizyta {when} odwołana. Nowy termin: {link}",
        "es": "{firm}: su cita del {when} esta cancelada. Reservar de nuevo: {link}",
        "ru": "{firm}: встреча {when} отменена. Записаться: {link}",
    },
    "no_show": {
        "en": "{firm}: we missed you today. Pick a new time: {link}",
        "pl": "{firm}: nie było Cię dziś. Nowy termin: {link}",
        "es": "{firm}: hoy no pudimos verle. Elija otra hora: {link}",
        "ru": "{firm}: мы вас не дождались. Новое время: {link}",
    },
    "reminder": {
        "en": "{firm}: reminder, {service} on {when}. Change or cancel: {link}",
        "pl": "{firm}: przypomnienie, wizyta {when}. Zmiana: {link}",
        "es": "{firm}: le recordamos su cita el {when}. Cambiar o cancelar: {link}",
        "ru": "{firm}: напоминаем о встрече {when}. Изменить: {link}",
    },
}

#!/bin/sh
# Start N locust-workers op deze machine voor een master elders (de lastfase met --master-host).
#   deploy/werker.sh MASTER_HOST [AANTAL] [POORT]
# De API-sleutel komt uit de omgeving, onder de naam die het doel noemt (bijv. DSO_PRE_API_KEY);
# hij wordt doorgegeven aan de container, nooit op de opdrachtregel.
set -eu
MASTER_HOST="${1:?gebruik: deploy/werker.sh MASTER_HOST [AANTAL] [POORT]}"
AANTAL="${2:-1}"
POORT="${3:-5557}"
IMAGE="${DSO_LAST_WERKER_IMAGE:-dso-last-werker:2.47.0}"
SLEUTEL_VARIABELE="${DSO_SLEUTEL_VARIABELE:-DSO_PRE_API_KEY}"
i=1
while [ "$i" -le "$AANTAL" ]; do
    docker run --rm -d --name "dso-last-werker-$i" -e "$SLEUTEL_VARIABELE" "$IMAGE" \
        --master-host "$MASTER_HOST" --master-port "$POORT"
    i=$((i + 1))
done
echo "$AANTAL worker(s) gestart voor $MASTER_HOST:$POORT; ze stoppen zelf als de master klaar is."
